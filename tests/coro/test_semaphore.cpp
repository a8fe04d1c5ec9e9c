#include <algorithm>
#include <string>
#include <vector>

#include "sync_test.hpp"

namespace tulip {
namespace {

using test::run_clean;
using test::yield;

struct Tally {
    std::vector<int> order;  // in which order the tasks got a permit
    int inside = 0;
    int most_inside = 0;
};

Coro<void> worker(Semaphore& sem, Tally& tally, int id) {
    auto held = co_await sem.lock();
    tally.order.push_back(id);
    tally.most_inside = std::max(tally.most_inside, ++tally.inside);
    co_await yield(2);
    --tally.inside;
}

Coro<void> limits_concurrency_in_order() {
    Semaphore sem(2);
    Tally tally;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 6; ++i) tasks.push_back(create_task(worker(sem, tally, i)));
    for (auto& t : tasks) co_await t;
    EXPECT_EQ(tally.most_inside, 2);
    EXPECT_EQ(tally.order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
    EXPECT_FALSE(sem.locked());
}

TEST(Semaphore, LimitsConcurrencyAndServesInArrivalOrder) {
    run_clean(limits_concurrency_in_order());
}

Coro<void> locked_reports_zero() {
    Semaphore sem(2);
    co_await sem.acquire();
    EXPECT_FALSE(sem.locked());
    co_await sem.acquire();
    EXPECT_TRUE(sem.locked());
    sem.release();
    sem.release();
    sem.release();  // an unbounded semaphore grows past its initial value
    co_await sem.acquire();
    co_await sem.acquire();
    co_await sem.acquire();
    EXPECT_TRUE(sem.locked());
}

TEST(Semaphore, LockedWhenNoPermitIsLeft) {
    run_clean(locked_reports_zero());
}

TEST(Semaphore, NegativeValueIsAValueError) {
    EXPECT_THROW(Semaphore(-1), ValueError);
}

Coro<void> cancelled_waiters_keep_no_permit() {
    Semaphore sem(0);
    Tally tally;
    auto a = create_task(worker(sem, tally, 1));
    auto b = create_task(worker(sem, tally, 2));
    auto c = create_task(worker(sem, tally, 3));
    co_await yield();
    b.cancel();  // queued: leaves the queue
    co_await yield();
    sem.release();  // to a
    sem.release();  // to c
    c.cancel();     // handed a permit, cancelled before it ran: the permit comes back
    co_await a;
    co_await test::expect_cancelled(b);
    co_await test::expect_cancelled(c);
    EXPECT_EQ(tally.order, std::vector<int>{1});
    // Both permits are free again: two acquisitions without waiting.
    EXPECT_FALSE(sem.locked());
    co_await sem.acquire();
    co_await sem.acquire();
    EXPECT_TRUE(sem.locked());
}

TEST(Semaphore, CancelledWaitersKeepNoPermit) {
    run_clean(cancelled_waiters_keep_no_permit());
}

Coro<void> bounded_over_release() {
    BoundedSemaphore sem(2);
    co_await sem.acquire();
    sem.release();
    try {
        sem.release();
        ADD_FAILURE() << "no ValueError";
    } catch (const ValueError& e) {
        EXPECT_EQ(std::string(e.what()), "BoundedSemaphore released too many times");
    }
    // A permit handed to a waiter counts as taken, until the waiter releases it.
    BoundedSemaphore one(1);
    Tally tally;
    co_await one.acquire();
    auto t = create_task(worker(one, tally, 1));
    co_await yield();
    one.release();  // handed to t: still taken, nothing to give back
    EXPECT_TRUE(one.locked());
    co_await t;  // t released it
    EXPECT_THROW(one.release(), ValueError);
    EXPECT_FALSE(one.locked());
}

TEST(Semaphore, BoundedSemaphoreRejectsOverRelease) {
    run_clean(bounded_over_release());
}

}  // namespace
}  // namespace tulip
