#include <memory>
#include <utility>
#include <vector>

#include "sync_test.hpp"

namespace tulip {
namespace {

using test::run_clean;
using test::yield;

using Got = std::vector<std::pair<int, int>>;  // (getter id, item)

Coro<void> getter(Queue<int>& q, Got& got, int id) {
    int item = co_await q.get();
    got.emplace_back(id, item);
}

Coro<void> nowait_errors() {
    Queue<int> q(1);
    EXPECT_EQ(q.maxsize(), 1u);
    EXPECT_TRUE(q.empty());
    EXPECT_THROW(q.get_nowait(), QueueEmpty);
    q.put_nowait(1);
    EXPECT_TRUE(q.full());
    EXPECT_EQ(q.qsize(), 1u);
    EXPECT_THROW(q.put_nowait(2), QueueFull);
    EXPECT_EQ(q.get_nowait(), 1);
    EXPECT_THROW(q.get_nowait(), QueueEmpty);
    co_return;
}

TEST(Queue, NowaitCallsRaiseQueueEmptyAndQueueFull) {
    run_clean(nowait_errors());
}

Coro<void> producer(Queue<int>& q, std::vector<int>& put, int n) {
    for (int i = 0; i < n; ++i) {
        co_await q.put(i);
        put.push_back(i);
    }
}

Coro<void> put_blocks_while_full() {
    Queue<int> q(2);
    std::vector<int> put;
    auto p = create_task(producer(q, put, 5));
    co_await yield(3);
    EXPECT_EQ(put, (std::vector<int>{0, 1}));  // the third put waits
    EXPECT_TRUE(q.full());
    EXPECT_EQ(co_await q.get(), 0);
    co_await yield(2);
    EXPECT_EQ(put, (std::vector<int>{0, 1, 2}));
    EXPECT_TRUE(q.full());
    std::vector<int> got;
    while (got.size() < 4) got.push_back(co_await q.get());
    co_await p;
    EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4}));
    EXPECT_TRUE(q.empty());
}

TEST(Queue, PutWaitsWhileTheQueueIsFull) {
    run_clean(put_blocks_while_full());
}

// The scenario most getter tests start from: getters 1..n (tasks[0..n-1]) wait
// on an empty, unbounded queue, queued in that order.
struct QueuedGetters {
    Queue<int> q;
    Got got;
    std::vector<Task<void>> tasks;
};

Coro<void> queue_getters(QueuedGetters& s, int n) {
    for (int id = 1; id <= n; ++id) s.tasks.push_back(create_task(getter(s.q, s.got, id)));
    co_await yield();  // every getter queued, in creation order
}

Coro<void> getters_served_in_arrival_order() {
    QueuedGetters s;
    co_await queue_getters(s, 4);
    for (int i = 0; i < 4; ++i) s.q.put_nowait(10 + i);
    for (auto& t : s.tasks) co_await t;
    EXPECT_EQ(s.got, (Got{{1, 10}, {2, 11}, {3, 12}, {4, 13}}));
}

TEST(Queue, GettersAreServedInArrivalOrder) {
    run_clean(getters_served_in_arrival_order());
}

Coro<void> put_soon(Queue<int>& q, int item) {
    co_await sleep(0);
    q.put_nowait(item);
}

Coro<void> newcomer_does_not_steal() {
    QueuedGetters s;
    co_await queue_getters(s, 1);
    auto feeder = create_task(put_soon(s.q, 20));
    s.q.put_nowait(10);             // getter 1 is woken; 10 stays in the queue until it runs
    int mine = co_await s.q.get();  // a newcomer, running first: it must not take 10
    s.got.emplace_back(0, mine);
    co_await s.tasks[0];
    co_await feeder;
    EXPECT_EQ(s.got, (Got{{1, 10}, {0, 20}}));
}

TEST(Queue, NewcomerDoesNotTakeTheItemOfAWokenGetter) {
    run_clean(newcomer_does_not_steal());
}

Coro<void> get_nowait_steal_keeps_the_place() {
    QueuedGetters s;
    co_await queue_getters(s, 2);
    s.q.put_nowait(10);               // wakes getter 1
    EXPECT_EQ(s.q.get_nowait(), 10);  // takes what is there, as asyncio does
    co_await yield(2);                // getter 1 finds nothing and waits again, first in line
    s.q.put_nowait(20);
    s.q.put_nowait(30);
    for (auto& t : s.tasks) co_await t;
    EXPECT_EQ(s.got, (Got{{1, 20}, {2, 30}}));
}

TEST(Queue, GetterRobbedByGetNowaitKeepsItsPlace) {
    run_clean(get_nowait_steal_keeps_the_place());
}

Coro<void> cancelled_queued_getter() {
    QueuedGetters s;
    co_await queue_getters(s, 2);
    s.tasks[0].cancel();
    co_await test::expect_cancelled(s.tasks[0]);
    s.q.put_nowait(7);  // after the cancelled get: the next getter receives it
    co_await s.tasks[1];
    EXPECT_EQ(s.got, (Got{{2, 7}}));
}

TEST(Queue, ItemPutAfterACancelledGetGoesToTheNextGetter) {
    run_clean(cancelled_queued_getter());
}

Coro<void> getter_cancelled_when_woken() {
    QueuedGetters s;
    co_await queue_getters(s, 2);
    s.q.put_nowait(7);    // wakes getter 1...
    s.tasks[0].cancel();  // ...cancelled in the same iteration: getter 2 is woken instead
    co_await test::expect_cancelled(s.tasks[0]);
    co_await s.tasks[1];
    EXPECT_EQ(s.got, (Got{{2, 7}}));
    EXPECT_TRUE(s.q.empty());

    // Alone: the item stays for the next get().
    auto c = create_task(getter(s.q, s.got, 3));
    co_await yield();
    s.q.put_nowait(8);
    c.cancel();
    co_await test::expect_cancelled(c);
    EXPECT_EQ(s.q.qsize(), 1u);
    EXPECT_EQ(co_await s.q.get(), 8);
}

TEST(Queue, GetterCancelledAsItIsWokenLosesNoItem) {
    run_clean(getter_cancelled_when_woken());
}

Coro<void> cancelled_putter_passes_the_slot() {
    Queue<int> q(1);
    std::vector<int> put;
    q.put_nowait(0);
    auto a = create_task(producer(q, put, 1));  // puts 0
    co_await yield();
    std::vector<int> more;
    auto b = create_task(producer(q, more, 2));  // puts 0, 1
    co_await yield();
    EXPECT_EQ(q.get_nowait(), 0);  // a slot: a is woken...
    a.cancel();                    // ...and cancelled: b takes the slot
    co_await test::expect_cancelled(a);
    co_await yield(2);
    EXPECT_TRUE(put.empty());
    EXPECT_EQ(more, std::vector<int>{0});
    EXPECT_EQ(q.get_nowait(), 0);
    co_await b;
    EXPECT_EQ(q.get_nowait(), 1);
}

TEST(Queue, CancelledPutterPassesItsSlotOn) {
    run_clean(cancelled_putter_passes_the_slot());
}

Coro<void> worker(Queue<int>& q, int& processed, int n) {
    for (int i = 0; i < n; ++i) {
        co_await q.get();
        co_await sleep(0.001);
        ++processed;
        q.task_done();
    }
}

Coro<void> joiner(Queue<int>& q, const int& processed, std::vector<int>& seen) {
    co_await q.join();
    seen.push_back(processed);
}

Coro<void> join_waits_for_task_done() {
    Queue<int> q;
    co_await q.join();  // nothing put: returns at once
    int processed = 0;
    std::vector<int> seen;
    for (int i = 0; i < 3; ++i) q.put_nowait(i);
    auto w = create_task(worker(q, processed, 3));
    auto j1 = create_task(joiner(q, processed, seen));
    auto j2 = create_task(joiner(q, processed, seen));
    co_await q.join();
    EXPECT_EQ(processed, 3);
    co_await w;
    co_await j1;
    co_await j2;
    EXPECT_EQ(seen, (std::vector<int>{3, 3}));
    EXPECT_THROW(q.task_done(), ValueError);
}

TEST(Queue, JoinWaitsUntilEveryItemIsDone) {
    run_clean(join_waits_for_task_done());
}

Coro<void> other_orders() {
    PriorityQueue<int> pq;
    for (int v : {5, 1, 4, 2, 3}) pq.put_nowait(v);
    std::vector<int> out;
    while (!pq.empty()) out.push_back(co_await pq.get());
    EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4, 5}));

    PriorityQueue<int, std::greater<int>> largest;
    for (int v : {2, 9, 4}) largest.put_nowait(v);
    EXPECT_EQ(largest.get_nowait(), 9);

    LifoQueue<int> lifo(3);
    for (int v : {1, 2, 3}) co_await lifo.put(v);
    EXPECT_THROW(lifo.put_nowait(4), QueueFull);
    out.clear();
    while (!lifo.empty()) out.push_back(lifo.get_nowait());
    EXPECT_EQ(out, (std::vector<int>{3, 2, 1}));

    Queue<std::unique_ptr<int>> owning;  // move-only items
    co_await owning.put(std::make_unique<int>(42));
    auto p = co_await owning.get();
    EXPECT_EQ(*p, 42);
}

TEST(Queue, PriorityLifoAndMoveOnlyItems) {
    run_clean(other_orders());
}

}  // namespace
}  // namespace tulip
