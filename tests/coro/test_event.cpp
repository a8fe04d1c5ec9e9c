#include <vector>

#include "sync_test.hpp"

namespace tulip {
namespace {

using test::run_clean;
using test::yield;

Coro<void> waiter(Event& event, std::vector<int>& woken, int id) {
    co_await event.wait();
    woken.push_back(id);
}

Coro<void> set_wakes_every_waiter() {
    Event event;
    std::vector<int> woken;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 3; ++i) tasks.push_back(create_task(waiter(event, woken, i)));
    co_await yield(2);
    EXPECT_TRUE(woken.empty());
    EXPECT_FALSE(event.is_set());
    event.set();
    EXPECT_TRUE(event.is_set());
    for (auto& t : tasks) co_await t;
    EXPECT_EQ(woken, (std::vector<int>{0, 1, 2}));
}

TEST(Event, SetWakesEveryWaiter) {
    run_clean(set_wakes_every_waiter());
}

Coro<void> wait_on_set_event_returns_at_once() {
    Event event;
    event.set();
    co_await event.wait();  // no suspension: would hang otherwise
    event.clear();
    EXPECT_FALSE(event.is_set());
    std::vector<int> woken;
    auto t = create_task(waiter(event, woken, 1));
    co_await yield(2);
    EXPECT_TRUE(woken.empty());  // cleared: it waits again
    event.set();
    co_await t;
    EXPECT_EQ(woken, std::vector<int>{1});
}

TEST(Event, WaitReturnsAtOnceWhileSet) {
    run_clean(wait_on_set_event_returns_at_once());
}

Coro<void> clear_after_set_still_wakes() {
    Event event;
    std::vector<int> woken;
    auto t = create_task(waiter(event, woken, 1));
    co_await yield();
    event.set();
    event.clear();  // before the waiter ran: it was woken already (asyncio)
    co_await t;
    EXPECT_EQ(woken, std::vector<int>{1});
}

TEST(Event, ClearAfterSetStillWakesTheWaiters) {
    run_clean(clear_after_set_still_wakes());
}

Coro<void> cancelled_waiter_leaves_the_others() {
    Event event;
    std::vector<int> woken;
    auto a = create_task(waiter(event, woken, 1));
    auto b = create_task(waiter(event, woken, 2));
    auto c = create_task(waiter(event, woken, 3));
    co_await yield();
    b.cancel();
    co_await yield();
    event.set();
    c.cancel();  // woken and cancelled in the same iteration: cancellation wins
    co_await a;
    co_await test::expect_cancelled(b);
    co_await test::expect_cancelled(c);
    EXPECT_EQ(woken, std::vector<int>{1});
}

TEST(Event, CancelledWaiterLeavesTheOthers) {
    run_clean(cancelled_waiter_leaves_the_others());
}

}  // namespace
}  // namespace tulip
