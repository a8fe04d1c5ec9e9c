// Cancelling a task at every kind of await of this layer: where the task is
// suspended, it gets CancelledError; what it awaited sees the cancellation where
// asyncio passes it on (sleep, wait_for, gather, TaskGroup) and not where it does
// not (shield, wait).
#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

struct Seen {
    bool inner = false;
    bool outer = false;
};

// Runs `make(seen)` as a task, cancels it once it is suspended, checks what saw it.
template <class Make>
Coro<void> cancel_at(Make make, bool inner_should_see) {
    Seen seen;
    auto task = create_task([](Make make, Seen& seen) -> Coro<void> {
        try {
            co_await make(seen);
        } catch (const CancelledError&) {
            seen.outer = true;
            throw;
        }
    }(std::move(make), seen));
    co_await yield(3);
    EXPECT_FALSE(task.done());
    task.cancel();
    EXPECT_TRUE(co_await raises_cancelled(task));
    EXPECT_TRUE(seen.outer);
    EXPECT_EQ(seen.inner, inner_should_see);
    co_await sleep(0.02);  // the shielded inner finishes
}

TEST(Cancellation, AtSleep) {
    run_clean(cancel_at([](Seen& s) { return sleep_noting_cancel(1, s.inner); }, true));
}

TEST(Cancellation, AtWaitFor) {
    run_clean(cancel_at([](Seen& s) { return wait_for(sleep_noting_cancel(1, s.inner), 10.0); }, true));
}

TEST(Cancellation, AtWaitForOfATask) {
    run_clean(cancel_at([](Seen& s) { return wait_for(create_task(sleep_noting_cancel(1, s.inner)), 10.0); }, true));
}

TEST(Cancellation, AtTimeout) {
    run_clean(cancel_at([](Seen& s) { return timeout(10.0, sleep_noting_cancel(1, s.inner)); }, true));
}

TEST(Cancellation, AtGather) {
    run_clean(cancel_at([](Seen& s) -> Coro<void> { co_await gather(value_after(0, 1), sleep_noting_cancel(1, s.inner)); },
                        true));
}

TEST(Cancellation, AtTaskGroup) {
    run_clean(cancel_at(
        [](Seen& s) -> Coro<void> {
            auto body = [&s](TaskGroup& tg) -> Coro<void> {
                tg.create_task(sleep_noting_cancel(1, s.inner));
                co_await sleep(1);
            };
            co_await task_group(std::move(body));
        },
        true));
}

TEST(Cancellation, AtShield) {
    run_clean(cancel_at([](Seen& s) { return shield(sleep_noting_cancel(0.01, s.inner)); }, false));
}

TEST(Cancellation, AtWait) {
    run_clean(cancel_at(
        [](Seen& s) -> Coro<void> {
            std::vector<Task<int>> tasks;
            tasks.push_back(create_task(sleep_noting_cancel(0.01, s.inner)));
            co_await wait(tasks);
        },
        false));
}

TEST(Cancellation, AtAsCompleted) {
    run_clean(cancel_at(
        [](Seen& s) -> Coro<void> {
            std::vector<Coro<int>> coros;
            coros.push_back(sleep_noting_cancel(0.01, s.inner));
            auto it = as_completed(std::move(coros));
            co_await it.next();
        },
        false));
}

}  // namespace
}  // namespace tulip
