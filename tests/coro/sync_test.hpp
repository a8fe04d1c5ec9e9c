// Shared by the synchronisation primitive tests (Event, Lock, Semaphore,
// Condition, Queue): runs a test body on a fresh loop and checks that it left no
// task behind, stuck on a primitive, and that the loop was closed.
#pragma once

#include <gtest/gtest.h>

#include <utility>

#include "tulip/coro.hpp"

namespace tulip::test {

inline Coro<void> checked(Coro<void> body) {
    EventLoop& loop = get_running_loop();
    // A primitive that loses a wake-up would hang the test: stop the loop instead.
    TimerHandle watchdog = loop.call_later(2.0, [&loop] { loop.stop(); });
    co_await std::move(body);
    watchdog.cancel();
    // Only this task is left: every task the body started has finished.
    EXPECT_EQ(all_tasks().size(), 1u) << "a task the test started is still pending";
}

// tulip::run closes its loop before returning.
inline void run_clean(Coro<void> body) {
    try {
        run(checked(std::move(body)));
    } catch (const RuntimeError& e) {
        ADD_FAILURE() << "the test hung (" << e.what() << ")";
    }
    EXPECT_TRUE(TaskBase::live_tasks().empty());
}

// Lets the other ready tasks run `n` steps (asyncio.sleep(0), n times).
inline Coro<void> yield(int n = 1) {
    for (int i = 0; i < n; ++i) co_await sleep(0);
}

// Awaits `task`, which must end cancelled.
template <class T>
Coro<void> expect_cancelled(Task<T> task) {
    bool raised = false;
    try {
        co_await task;
    } catch (const CancelledError&) {
        raised = true;
    }
    EXPECT_TRUE(raised);
    EXPECT_TRUE(task.cancelled());
}

}  // namespace tulip::test
