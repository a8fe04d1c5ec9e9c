#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

TEST(Shield, CancellingTheAwaiterLeavesTheInnerRunning) {
    run_clean([]() -> Coro<void> {
        bool inner_cancelled = false;
        auto inner = create_task(sleep_noting_cancel(0.005, inner_cancelled, 9));
        auto outer = create_task([](Task<int> t) -> Coro<int> { co_return co_await shield(t); }(inner));
        co_await yield();
        outer.cancel();
        EXPECT_TRUE(co_await raises_cancelled(outer));  // the outer sees CancelledError
        EXPECT_FALSE(inner.done());
        EXPECT_EQ(co_await inner, 9);  // the inner never did
        EXPECT_FALSE(inner_cancelled);
    }());
}

TEST(Shield, PassesResultsErrorsAndInnerCancellation) {
    run_clean([]() -> Coro<void> {
        EXPECT_EQ(co_await shield(value_after(0.001, 3)), 3);
        bool raised = false;
        try {
            co_await shield(fail_after(0, "x"));
        } catch (const ValueError&) {
            raised = true;
        }
        EXPECT_TRUE(raised);
        auto inner = create_task(value_after(1, 0));
        get_running_loop().call_soon([inner]() mutable { inner.cancel(); });
        EXPECT_TRUE(co_await raises_cancelled(shield(inner)));
        auto done = create_task(value_after(0, 4));
        co_await done;
        EXPECT_EQ(co_await shield(done), 4);  // done already: the future itself
    }());
}

TEST(Shield, UnderWaitForTheInnerSurvivesTheTimeout) {
    run_clean([]() -> Coro<void> {
        bool inner_cancelled = false;
        auto inner = create_task(sleep_noting_cancel(0.02, inner_cancelled, 5));
        bool timed_out = false;
        try {
            co_await wait_for(shield(inner), 0.002);
        } catch (const TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_EQ(co_await inner, 5);
        EXPECT_FALSE(inner_cancelled);
    }());
}

}  // namespace
}  // namespace tulip
