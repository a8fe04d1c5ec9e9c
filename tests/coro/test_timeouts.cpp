#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

TEST(Timeouts, ExpiryRaisesTimeoutErrorAndMarksTheScope) {
    run_clean([]() -> Coro<void> {
        bool expired = false;
        bool cancelled = false;
        try {
            co_await timeout(0.005, [&](Timeout& t) -> Coro<void> {
                try {
                    co_await sleep_noting_cancel(1, cancelled);
                } catch (const CancelledError&) {
                    expired = t.expired();
                    throw;
                }
            });
            ADD_FAILURE() << "no TimeoutError";
        } catch (const TimeoutError&) {
        }
        EXPECT_TRUE(cancelled);
        EXPECT_TRUE(expired);
        EXPECT_EQ(co_await timeout(1.0, value_after(0, 3)), 3);
    }());
}

TEST(Timeouts, RescheduleMovesTheDeadline) {
    run_clean([]() -> Coro<void> {
        int got = co_await timeout(0.005, [](Timeout& t) -> Coro<int> {
            EXPECT_TRUE(t.when().has_value());
            t.reschedule(get_running_loop().time() + 1.0);
            co_await sleep(0.02);  // past the first deadline
            EXPECT_FALSE(t.expired());
            t.reschedule(std::nullopt);
            EXPECT_FALSE(t.when().has_value());
            co_return 1;
        });
        EXPECT_EQ(got, 1);
        // No deadline at first, one set later.
        bool timed_out = false;
        try {
            co_await timeout(std::nullopt, [](Timeout& t) -> Coro<void> {
                co_await sleep(0.001);
                t.reschedule(get_running_loop().time() + 0.002);
                co_await sleep(1);
            });
        } catch (const TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
    }());
}

TEST(Timeouts, TimeoutAtInThePastExpiresAtTheFirstAwait) {
    run_clean([]() -> Coro<void> {
        bool timed_out = false;
        int steps = 0;
        try {
            co_await timeout_at(get_running_loop().time() - 1, [&](Timeout&) -> Coro<void> {
                ++steps;  // the body starts: the cancel comes from the loop
                co_await sleep(1);
                ++steps;
            });
        } catch (const TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(steps, 1);
    }());
}

TEST(Timeouts, BodyThatSwallowsTheCancelReturnsNormally) {
    run_clean([]() -> Coro<void> {
        int got = co_await timeout(0.002, [](Timeout& t) -> Coro<int> {
            try {
                co_await sleep(1);
            } catch (const CancelledError&) {
                EXPECT_TRUE(t.expired());
            }
            co_return 7;
        });
        EXPECT_EQ(got, 7);
        EXPECT_EQ(current_task()->cancelling(), 0);
        co_await sleep(0);
    }());
}

TEST(Timeouts, AnotherErrorAfterExpiryWins) {
    run_clean([]() -> Coro<void> {
        std::string error;
        try {
            co_await timeout(0.002, []() -> Coro<void> {
                try {
                    co_await sleep(1);
                } catch (const CancelledError&) {
                    throw ValueError("cleanup failed");
                }
            }());
        } catch (const ValueError& e) {
            error = e.what();
        }
        EXPECT_EQ(error, "cleanup failed");
    }());
}

TEST(Timeouts, OuterCancelWithTheExpiryPropagatesCancelledError) {
    run_clean([]() -> Coro<void> {
        bool inner_cancelled = false;
        double deadline = get_running_loop().time() + 0.005;
        auto outer = create_task(timeout_at(deadline, sleep_noting_cancel(1, inner_cancelled)));
        // The same deadline: the outer cancel and the expiry land in one iteration.
        get_running_loop().call_at(deadline, [outer]() mutable { outer.cancel(); });
        EXPECT_TRUE(co_await raises_cancelled(outer));
        EXPECT_TRUE(inner_cancelled);
    }());
}

TEST(Timeouts, RescheduleBeforeEnteringIsAnError) {
    run_clean([]() -> Coro<void> {
        Timeout unused(std::nullopt);
        EXPECT_THROW(unused.reschedule(1.0), RuntimeError);
        EXPECT_FALSE(unused.expired());
        co_return;
    }());
}

}  // namespace
}  // namespace tulip
