#include <cerrno>

#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

TEST(WaitFor, ReturnsTheResultInTime) {
    run_clean([]() -> Coro<void> {
        EXPECT_EQ(co_await wait_for(value_after(0.001, 4), 1.0), 4);
        EXPECT_EQ(co_await wait_for(value_after(0.001, 5), std::nullopt), 5);
        auto task = create_task(value_after(0, 6));
        EXPECT_EQ(co_await wait_for(task, 1.0), 6);
    }());
}

// The inner coroutine's cleanup (an await included) runs before TimeoutError.
Coro<void> slow_with_cleanup(std::vector<std::string>& log) {
    std::exception_ptr cancelled;
    try {
        co_await sleep(1);
    } catch (const CancelledError&) {
        log.push_back("cancelled");
        cancelled = std::current_exception();
    }
    co_await sleep(0.001);  // cleanup that itself awaits (C++ cannot await in a handler)
    log.push_back("cleaned up");
    if (cancelled) std::rethrow_exception(cancelled);
}

TEST(WaitFor, TimeoutCancelsTheInnerCoroAndWaitsForItsCleanup) {
    run_clean([]() -> Coro<void> {
        std::vector<std::string> log;
        double start = get_running_loop().time();
        try {
            co_await wait_for(slow_with_cleanup(log), 0.01);
            ADD_FAILURE() << "no TimeoutError";
        } catch (const TimeoutError& e) {
            log.push_back("timeout");
            EXPECT_EQ(e.errno_value(), ETIMEDOUT);
        }
        EXPECT_EQ(log, (std::vector<std::string>{"cancelled", "cleaned up", "timeout"}));
        EXPECT_GE(get_running_loop().time() - start, 0.01);
        EXPECT_EQ(current_task()->cancelling(), 0);  // the timeout's cancel was withdrawn
        co_await sleep(0);                           // and nothing is left pending
    }());
}

TEST(WaitFor, TimeoutCancelsTheInnerTaskAndWaitsForIt) {
    run_clean([]() -> Coro<void> {
        std::vector<std::string> log;
        auto task = create_task(slow_with_cleanup(log));
        bool timed_out = false;
        try {
            co_await wait_for(task, 0.01);
        } catch (const TimeoutError&) {
            timed_out = true;
            EXPECT_TRUE(task.cancelled());  // finished cancelling before TimeoutError arrived
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(log, (std::vector<std::string>{"cancelled", "cleaned up"}));
    }());
}

TEST(WaitFor, NonPositiveTimeout) {
    run_clean([]() -> Coro<void> {
        auto done = create_task(value_after(0, 1));
        co_await done;
        EXPECT_EQ(co_await wait_for(done, 0.0), 1);  // done already: its result
        bool started = false;
        auto never = [](bool& s) -> Coro<int> {
            s = true;
            co_return 2;
        };
        bool timed_out = false;
        try {
            co_await wait_for(never(started), -1.0);
        } catch (const TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_FALSE(started);  // cancelled before its first step
        bool cancelled = false;
        auto pending = create_task(sleep_noting_cancel(1, cancelled));
        co_await yield();
        timed_out = false;
        try {
            co_await wait_for(pending, 0.0);
        } catch (const TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_TRUE(cancelled);
        EXPECT_TRUE(pending.cancelled());
    }());
}

// cpython #86296: the outer task is cancelled in the same loop iteration in which
// the inner awaitable completes. The cancellation must not be swallowed.
Coro<int> returns_when_set(Future<int> f) { co_return co_await f; }

TEST(WaitFor, OuterCancelRacingTheInnerResultPropagates) {
    for (bool inner_is_task : {false, true}) {
        for (std::optional<double> timeout : {std::optional<double>(10.0), std::optional<double>()}) {
            run_clean([](bool inner_is_task, std::optional<double> timeout) -> Coro<void> {
                Future<int> inner;
                Task<int> inner_task;
                bool finished = false;
                auto waiter = [](Future<int> f, std::optional<double> t, bool& finished) -> Coro<int> {
                    int v = co_await wait_for(f, t);
                    finished = true;
                    co_return v;
                };
                Task<int> outer;
                if (inner_is_task) {
                    inner_task = create_task(returns_when_set(inner));
                    outer = create_task(waiter(inner_task, timeout, finished));
                } else {
                    outer = create_task(waiter(inner, timeout, finished));
                }
                co_await yield();  // outer now waits on the inner one
                EventLoop& loop = get_running_loop();
                if (inner_is_task) {
                    // The inner task finishes in the next iteration, and the cancel
                    // runs right after it, in that same iteration.
                    loop.call_soon([inner, outer, &loop]() mutable {
                        inner.set_result(1);
                        loop.call_soon([outer]() mutable { outer.cancel(); });
                    });
                } else {
                    loop.call_soon([inner, outer]() mutable {
                        inner.set_result(1);
                        outer.cancel();
                    });
                }
                EXPECT_TRUE(co_await raises_cancelled(outer));
                EXPECT_FALSE(finished);
                EXPECT_TRUE(outer.cancelled());
                if (inner_is_task) {
                    EXPECT_EQ(co_await inner_task, 1);  // it did complete
                }
            }(inner_is_task, timeout));
        }
    }
}

TEST(WaitFor, OuterCancellationIsNotATimeout) {
    run_clean([]() -> Coro<void> {
        bool inner_cancelled = false;
        auto outer = create_task([](bool& seen) -> Coro<int> {
            co_return co_await wait_for(sleep_noting_cancel(1, seen), 10.0);
        }(inner_cancelled));
        co_await yield();
        outer.cancel();
        EXPECT_TRUE(co_await raises_cancelled(outer));  // CancelledError, not TimeoutError
        EXPECT_TRUE(inner_cancelled);
    }());
}

TEST(WaitFor, InnerThatSwallowsTheCancellationKeepsItsResult) {
    run_clean([]() -> Coro<void> {
        auto stubborn = []() -> Coro<int> {
            try {
                co_await sleep(1);
            } catch (const CancelledError&) {
                co_return 42;  // asyncio 3.12: the result wins, no TimeoutError
            }
            co_return 0;
        };
        EXPECT_EQ(co_await wait_for(stubborn(), 0.005), 42);
        EXPECT_EQ(current_task()->cancelling(), 0);
        co_await sleep(0.001);  // the task was not left cancelled
    }());
}

TEST(WaitFor, NestedTimeoutsEachSeeTheirOwn) {
    run_clean([]() -> Coro<void> {
        auto inner = []() -> Coro<int> {
            try {
                co_await wait_for(value_after(1, 1), 0.005);
            } catch (const TimeoutError&) {
                co_return -1;
            }
            co_return 1;
        };
        EXPECT_EQ(co_await wait_for(inner(), 1.0), -1);
        bool timed_out = false;
        try {
            co_await wait_for(wait_for(value_after(1, 1), 1.0), 0.005);
        } catch (const TimeoutError&) {
            timed_out = true;  // the outer one expired: its TimeoutError, not the inner's cancel
        }
        EXPECT_TRUE(timed_out);
    }());
}

}  // namespace
}  // namespace tulip
