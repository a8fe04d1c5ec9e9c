#include <string>
#include <vector>

#include "sync_test.hpp"

namespace tulip {
namespace {

using test::run_clean;
using test::yield;

// Waits once on `cond`, records its id when notified, checks it holds the lock.
Coro<void> waiter(Condition& cond, std::vector<int>& woken, int id) {
    auto held = co_await cond.lock();
    co_await cond.wait();
    EXPECT_TRUE(cond.locked());
    woken.push_back(id);
}

Coro<void> needs_the_lock() {
    Condition cond;
    bool raised = false;
    try {
        co_await cond.wait();
    } catch (const RuntimeError& e) {
        raised = true;
        EXPECT_EQ(std::string(e.what()), "cannot wait on un-acquired lock");
    }
    EXPECT_TRUE(raised);
    EXPECT_THROW(cond.notify(), RuntimeError);
    EXPECT_THROW(cond.notify_all(), RuntimeError);
}

TEST(Condition, WaitAndNotifyNeedTheLock) {
    run_clean(needs_the_lock());
}

Coro<void> notify_wakes_n_in_order() {
    Condition cond;
    std::vector<int> woken;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 4; ++i) tasks.push_back(create_task(waiter(cond, woken, i)));
    co_await yield(2);
    EXPECT_FALSE(cond.locked());  // every waiter released it
    {
        auto held = co_await cond.lock();
        cond.notify(2);
        co_await yield(2);
        EXPECT_TRUE(woken.empty());  // they need the lock we hold
    }
    co_await yield(3);
    EXPECT_EQ(woken, (std::vector<int>{0, 1}));
    {
        auto held = co_await cond.lock();
        cond.notify_all();
    }
    for (auto& t : tasks) co_await t;
    EXPECT_EQ(woken, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_FALSE(cond.locked());
}

TEST(Condition, NotifyWakesNWaitersInOrder) {
    run_clean(notify_wakes_n_in_order());
}

Coro<void> producer(Condition& cond, int& value) {
    for (int i = 0; i < 5; ++i) {
        co_await sleep(0);
        auto held = co_await cond.lock();
        ++value;
        cond.notify_all();
    }
}

Coro<int> consumer(Condition& cond, int& value, int& checks) {
    auto held = co_await cond.lock();
    auto ready = [&] {
        ++checks;
        return value >= 3;
    };
    bool result = co_await cond.wait_for(ready);
    EXPECT_TRUE(result);
    EXPECT_TRUE(cond.locked());
    co_return value;
}

Coro<void> wait_for_predicate() {
    Condition cond;
    int value = 0;
    int checks = 0;
    auto c = create_task(consumer(cond, value, checks));
    auto p = create_task(producer(cond, value));
    int seen = co_await c;
    co_await p;
    EXPECT_EQ(seen, 3);
    EXPECT_EQ(checks, 4);  // once at first, then after each of three notifications
}

TEST(Condition, WaitForChecksThePredicateAfterEachWakeUp) {
    run_clean(wait_for_predicate());
}

// Records whether the lock was held when the cancellation arrived here.
Coro<void> cancellable_waiter(Condition& cond, std::vector<std::string>& log) {
    auto held = co_await cond.lock();
    try {
        co_await cond.wait();
        log.push_back("notified");
    } catch (const CancelledError& e) {
        log.push_back(cond.locked() ? "cancelled holding the lock: " + e.message()
                                    : "cancelled without the lock");
        throw;
    }
}

Coro<void> cancelled_wait_reacquires() {
    Condition cond;
    std::vector<std::string> log;
    auto t = create_task(cancellable_waiter(cond, log));
    co_await yield();
    co_await cond.acquire();  // the lock is busy when the cancellation arrives
    t.cancel("stop");
    co_await yield(3);
    EXPECT_TRUE(log.empty());  // still waiting for the lock
    EXPECT_FALSE(t.done());
    cond.release();
    co_await test::expect_cancelled(t);
    EXPECT_EQ(log, std::vector<std::string>{"cancelled holding the lock: stop"});
    EXPECT_FALSE(cond.locked());  // the waiter's guard released it as CancelledError left
}

TEST(Condition, CancelledWaitReacquiresTheLockFirst) {
    run_clean(cancelled_wait_reacquires());
}

Coro<void> cancelled_wait_with_free_lock() {
    Condition cond;
    std::vector<std::string> log;
    auto t = create_task(cancellable_waiter(cond, log));
    co_await yield();
    t.cancel("now");  // the lock is free: taken back at once
    co_await test::expect_cancelled(t);
    EXPECT_EQ(log, std::vector<std::string>{"cancelled holding the lock: now"});
    EXPECT_FALSE(cond.locked());
}

TEST(Condition, CancelledWaitWithTheLockFree) {
    run_clean(cancelled_wait_with_free_lock());
}

Coro<void> notification_of_cancelled_waiter_passes_on() {
    Condition cond;
    std::vector<std::string> log;
    auto a = create_task(cancellable_waiter(cond, log));
    auto b = create_task(cancellable_waiter(cond, log));
    co_await yield(2);
    {
        auto held = co_await cond.lock();
        cond.notify(1);  // to a...
        a.cancel();      // ...which raises instead: b gets the notification
    }
    co_await test::expect_cancelled(a);
    co_await b;
    EXPECT_EQ(log, (std::vector<std::string>{"cancelled holding the lock: ", "notified"}));
    EXPECT_FALSE(cond.locked());
}

TEST(Condition, NotificationOfACancelledWaiterPassesOn) {
    run_clean(notification_of_cancelled_waiter_passes_on());
}

Coro<void> shared_lock() {
    Lock lock;
    Condition a(lock);
    Condition b(lock);
    std::vector<int> woken;
    auto ta = create_task(waiter(a, woken, 1));
    auto tb = create_task(waiter(b, woken, 2));
    co_await yield(2);
    co_await lock.acquire();
    EXPECT_TRUE(a.locked());
    EXPECT_TRUE(b.locked());
    b.notify();
    lock.release();
    co_await tb;
    EXPECT_EQ(woken, std::vector<int>{2});
    {
        auto held = co_await a.lock();
        a.notify();
    }
    co_await ta;
    EXPECT_EQ(woken, (std::vector<int>{2, 1}));
}

TEST(Condition, ConditionsCanShareALock) {
    run_clean(shared_lock());
}

}  // namespace
}  // namespace tulip
