// Shared by the tests of gather, wait, wait_for, timeouts, shield, as_completed
// and TaskGroup: runs a test body on a fresh loop, then checks that the body left
// no task pending, that no task outlives the loop and that no descriptor leaked.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "support/fds.hpp"
#include "tulip/tulip.hpp"

namespace tulip::tasks_test {

// Also fails on any report to the loop's exception handler ("Task exception was
// never retrieved", ...): these tests leave nothing unreported.
inline Coro<void> checked(Coro<void> body) {
    get_running_loop().set_exception_handler([](EventLoop&, const ExceptionContext& context) {
        ADD_FAILURE() << "exception handler: " << context.message << " " << describe_exception(context.exception);
    });
    co_await std::move(body);
    EXPECT_EQ(all_tasks().size(), 1u) << "a task the test started is still pending";
}

inline void run_clean(Coro<void> body) {
    int fds = testing::count_open_fds();
    run(checked(std::move(body)));
    EXPECT_TRUE(TaskBase::live_tasks().empty());
    EXPECT_EQ(testing::count_open_fds(), fds);
}

inline Coro<void> yield(int n = 1) {
    for (int i = 0; i < n; ++i) co_await sleep(0);
}

inline Coro<int> value_after(double delay, int value) {
    co_await sleep(delay);
    co_return value;
}

inline Coro<int> fail_after(double delay, std::string message) {
    co_await sleep(delay);
    throw ValueError(message);
}

// Sleeps; records a CancelledError seen there, and rethrows it.
inline Coro<int> sleep_noting_cancel(double delay, bool& cancelled, int value = 0) {
    try {
        co_await sleep(delay);
    } catch (const CancelledError&) {
        cancelled = true;
        throw;
    }
    co_return value;
}

// Awaits `awaitable`; true if it raised CancelledError.
template <class A>
Coro<bool> raises_cancelled(A awaitable) {
    try {
        co_await std::move(awaitable);
    } catch (const CancelledError&) {
        co_return true;
    }
    co_return false;
}

}  // namespace tulip::tasks_test
