#include <vector>

#include "sync_test.hpp"

namespace tulip {
namespace {

using test::run_clean;
using test::yield;

// Takes the lock, records its turn, keeps the lock across a yield.
Coro<void> locker(Lock& lock, std::vector<int>& order, int id) {
    auto held = co_await lock.lock();
    order.push_back(id);
    co_await sleep(0);
}

Coro<void> acquire_release() {
    Lock lock;
    EXPECT_FALSE(lock.locked());
    co_await lock.acquire();
    EXPECT_TRUE(lock.locked());
    lock.release();
    EXPECT_FALSE(lock.locked());
    EXPECT_THROW(lock.release(), RuntimeError);
}

TEST(Lock, AcquireRelease) {
    run_clean(acquire_release());
}

// The scenario most tests start from: the test holds `lock`, and lockers
// 1..n (tasks[0..n-1]) are queued on it in that order.
struct QueuedLockers {
    Lock lock;
    std::vector<int> order;
    std::vector<Task<void>> tasks;
};

Coro<void> queue_lockers(QueuedLockers& s, int n) {
    co_await s.lock.acquire();
    for (int id = 1; id <= n; ++id) s.tasks.push_back(create_task(locker(s.lock, s.order, id)));
    co_await yield();  // every locker queued, in creation order
}

// The lockers that got the lock did so in `expected` order, and it is free now.
void expect_served(const QueuedLockers& s, const std::vector<int>& expected) {
    EXPECT_EQ(s.order, expected);
    EXPECT_FALSE(s.lock.locked());
}

Coro<void> waiters_served_in_arrival_order() {
    QueuedLockers s;
    co_await queue_lockers(s, 5);
    s.lock.release();
    for (auto& t : s.tasks) co_await t;
    expect_served(s, {1, 2, 3, 4, 5});
}

TEST(Lock, WaitersAreServedInArrivalOrder) {
    run_clean(waiters_served_in_arrival_order());
}

Coro<void> newcomer_does_not_steal() {
    QueuedLockers s;
    co_await queue_lockers(s, 1);
    s.lock.release();  // handed to the waiter, which has not run yet
    EXPECT_TRUE(s.lock.locked());
    co_await s.lock.acquire();  // a newcomer: queues behind the woken waiter
    s.order.push_back(0);
    s.lock.release();
    co_await s.tasks[0];
    EXPECT_EQ(s.order, (std::vector<int>{1, 0}));
}

TEST(Lock, NewcomerDoesNotStealFromAWokenWaiter) {
    run_clean(newcomer_does_not_steal());
}

Coro<void> cancelled_queued_waiter() {
    QueuedLockers s;
    co_await queue_lockers(s, 2);
    s.tasks[0].cancel();
    co_await yield();
    s.lock.release();
    co_await s.tasks[1];
    co_await test::expect_cancelled(s.tasks[0]);
    expect_served(s, {2});
}

TEST(Lock, CancelledWaiterLeavesTheQueue) {
    run_clean(cancelled_queued_waiter());
}

Coro<void> cancel_after_handoff_passes_the_lock_on() {
    QueuedLockers s;
    co_await queue_lockers(s, 2);
    s.lock.release();     // handed to locker 1...
    s.tasks[0].cancel();  // ...cancelled before it ran: the lock goes to locker 2
    co_await test::expect_cancelled(s.tasks[0]);
    co_await s.tasks[1];
    expect_served(s, {2});
}

TEST(Lock, CancelAfterHandoffPassesTheLockOn) {
    run_clean(cancel_after_handoff_passes_the_lock_on());
}

Coro<void> cancel_after_handoff_frees_the_lock() {
    QueuedLockers s;
    co_await queue_lockers(s, 1);
    s.lock.release();
    s.tasks[0].cancel();  // nobody else waits: the lock is free again once it has raised
    co_await test::expect_cancelled(s.tasks[0]);
    EXPECT_FALSE(s.lock.locked());
    auto b = create_task(locker(s.lock, s.order, 2));  // another task can take it
    co_await b;
    expect_served(s, {2});
}

TEST(Lock, CancelAfterHandoffDoesNotLeakTheLock) {
    run_clean(cancel_after_handoff_frees_the_lock());
}

Coro<void> cancel_withdrawn_after_handoff() {
    QueuedLockers s;
    co_await queue_lockers(s, 2);
    s.lock.release();  // handed to locker 1
    s.tasks[0].cancel();
    EXPECT_EQ(s.tasks[0].uncancel(), 0);  // withdrawn before it ran: it goes on, holding the lock
    for (auto& t : s.tasks) co_await t;
    expect_served(s, {1, 2});
}

TEST(Lock, CancellationWithdrawnAfterHandoffKeepsTheLock) {
    run_clean(cancel_withdrawn_after_handoff());
}

Coro<void> fail_holding(Lock& lock) {
    auto held = co_await lock.lock();
    EXPECT_TRUE(lock.locked());
    throw ValueError("boom");
}

Coro<void> guard_releases() {
    Lock lock;
    bool raised = false;
    try {
        co_await fail_holding(lock);
    } catch (const ValueError&) {
        raised = true;
    }
    EXPECT_TRUE(raised);
    EXPECT_FALSE(lock.locked());  // released by the guard as the exception left

    auto held = co_await lock.lock();
    EXPECT_TRUE(held.owns_lock());
    auto moved = std::move(held);
    EXPECT_FALSE(held.owns_lock());
    EXPECT_TRUE(lock.locked());
    moved.unlock();
    EXPECT_FALSE(moved.owns_lock());
    EXPECT_FALSE(lock.locked());
}

TEST(Lock, GuardReleasesOnScopeExit) {
    run_clean(guard_releases());
}

Coro<void> already_cancelled_task_does_not_queue(Lock& lock, bool& got) {
    // Cancelled before it reached the co_await: CancelledError without waiting.
    current_task()->cancel_task("early");
    try {
        co_await lock.acquire();
        got = true;
    } catch (const CancelledError& e) {
        EXPECT_EQ(e.message(), "early");
        throw;
    }
}

Coro<void> cancelled_before_waiting() {
    Lock lock;
    bool got = false;
    co_await lock.acquire();
    auto t = create_task(already_cancelled_task_does_not_queue(lock, got));
    co_await test::expect_cancelled(t);
    EXPECT_FALSE(got);
    lock.release();
    EXPECT_FALSE(lock.locked());  // nobody was queued to hand it to
}

TEST(Lock, TaskCancelledBeforeWaitingDoesNotQueue) {
    run_clean(cancelled_before_waiting());
}

}  // namespace
}  // namespace tulip
