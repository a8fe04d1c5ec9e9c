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

Coro<void> waiters_served_in_arrival_order() {
    Lock lock;
    std::vector<int> order;
    co_await lock.acquire();
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(create_task(locker(lock, order, i)));
    co_await yield();  // all five queued, in creation order
    lock.release();
    for (auto& t : tasks) co_await t;
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_FALSE(lock.locked());
}

TEST(Lock, WaitersAreServedInArrivalOrder) {
    run_clean(waiters_served_in_arrival_order());
}

Coro<void> newcomer_does_not_steal() {
    Lock lock;
    std::vector<int> order;
    co_await lock.acquire();
    auto waiter = create_task(locker(lock, order, 1));
    co_await yield();
    lock.release();  // handed to the waiter, which has not run yet
    EXPECT_TRUE(lock.locked());
    co_await lock.acquire();  // a newcomer: queues behind the woken waiter
    order.push_back(0);
    lock.release();
    co_await waiter;
    EXPECT_EQ(order, (std::vector<int>{1, 0}));
}

TEST(Lock, NewcomerDoesNotStealFromAWokenWaiter) {
    run_clean(newcomer_does_not_steal());
}

Coro<void> cancelled_queued_waiter() {
    Lock lock;
    std::vector<int> order;
    co_await lock.acquire();
    auto a = create_task(locker(lock, order, 1));
    auto b = create_task(locker(lock, order, 2));
    co_await yield();
    a.cancel();
    co_await yield();
    lock.release();
    co_await b;
    co_await test::expect_cancelled(a);
    EXPECT_EQ(order, std::vector<int>{2});
    EXPECT_FALSE(lock.locked());
}

TEST(Lock, CancelledWaiterLeavesTheQueue) {
    run_clean(cancelled_queued_waiter());
}

Coro<void> cancel_after_handoff_passes_the_lock_on() {
    Lock lock;
    std::vector<int> order;
    co_await lock.acquire();
    auto a = create_task(locker(lock, order, 1));
    auto b = create_task(locker(lock, order, 2));
    co_await yield();
    lock.release();  // handed to a...
    a.cancel();      // ...cancelled before it ran: the lock goes to b
    co_await test::expect_cancelled(a);
    co_await b;
    EXPECT_EQ(order, std::vector<int>{2});
    EXPECT_FALSE(lock.locked());
}

TEST(Lock, CancelAfterHandoffPassesTheLockOn) {
    run_clean(cancel_after_handoff_passes_the_lock_on());
}

Coro<void> cancel_after_handoff_frees_the_lock() {
    Lock lock;
    std::vector<int> order;
    co_await lock.acquire();
    auto a = create_task(locker(lock, order, 1));
    co_await yield();
    lock.release();
    a.cancel();  // nobody else waits: the lock is free again once a has raised
    co_await test::expect_cancelled(a);
    EXPECT_FALSE(lock.locked());
    auto b = create_task(locker(lock, order, 2));  // another task can take it
    co_await b;
    EXPECT_EQ(order, std::vector<int>{2});
    EXPECT_FALSE(lock.locked());
}

TEST(Lock, CancelAfterHandoffDoesNotLeakTheLock) {
    run_clean(cancel_after_handoff_frees_the_lock());
}

Coro<void> cancel_withdrawn_after_handoff() {
    Lock lock;
    std::vector<int> order;
    co_await lock.acquire();
    auto a = create_task(locker(lock, order, 1));
    auto b = create_task(locker(lock, order, 2));
    co_await yield();
    lock.release();  // handed to a
    a.cancel();
    EXPECT_EQ(a.uncancel(), 0);  // withdrawn before a ran: a goes on, holding the lock
    co_await a;
    co_await b;
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
    EXPECT_FALSE(lock.locked());
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
