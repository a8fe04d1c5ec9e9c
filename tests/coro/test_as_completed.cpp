#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

TEST(AsCompleted, YieldsInCompletionOrder) {
    run_clean([]() -> Coro<void> {
        std::vector<Coro<int>> coros;
        coros.push_back(value_after(0.03, 3));
        coros.push_back(value_after(0.01, 1));
        coros.push_back(value_after(0.02, 2));
        auto it = as_completed(std::move(coros));
        std::vector<int> order;
        while (it) order.push_back(co_await it.next());
        EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
        EXPECT_THROW(it.next(), RuntimeError);
    }());
}

TEST(AsCompleted, ExceptionsComeOutOfNext) {
    run_clean([]() -> Coro<void> {
        std::vector<Coro<int>> coros;
        coros.push_back(value_after(0.01, 1));
        coros.push_back(fail_after(0, "first"));
        auto it = as_completed(std::move(coros));
        bool raised = false;
        try {
            co_await it.next();
        } catch (const ValueError&) {
            raised = true;
        }
        EXPECT_TRUE(raised);
        EXPECT_EQ(co_await it.next(), 1);
    }());
}

TEST(AsCompleted, TimeoutRaisesForTheOnesNotDone) {
    run_clean([]() -> Coro<void> {
        std::vector<Task<int>> tasks;
        tasks.push_back(create_task(value_after(0.001, 1)));
        tasks.push_back(create_task(value_after(1, 2)));
        auto it = as_completed(tasks, 0.01);
        EXPECT_EQ(co_await it.next(), 1);
        bool timed_out = false;
        try {
            co_await it.next();
        } catch (const TimeoutError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_FALSE(it);
        EXPECT_FALSE(tasks[1].done());  // not cancelled
        tasks[1].cancel();
        EXPECT_TRUE(co_await raises_cancelled(tasks[1]));
    }());
}

TEST(AsCompleted, CancelledNextLeavesTheRestForLater) {
    run_clean([]() -> Coro<void> {
        std::vector<Coro<int>> coros;
        coros.push_back(value_after(0.005, 1));
        auto it = as_completed(std::move(coros));
        auto taker = create_task([](AsCompleted<int>& i) -> Coro<int> { co_return co_await i.next(); }(it));
        co_await yield();
        taker.cancel();
        EXPECT_TRUE(co_await raises_cancelled(taker));
        EXPECT_EQ(co_await it.next(), 1);
    }());
}

}  // namespace
}  // namespace tulip
