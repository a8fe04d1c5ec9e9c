#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

Coro<void> nothing_after(double delay) { co_await sleep(delay); }

TEST(Gather, TupleOfMixedAwaitablesInArgumentOrder) {
    run_clean([]() -> Coro<void> {
        auto task = create_task(value_after(0.001, 3));
        Future<std::string> future;
        get_running_loop().call_later(0.002, [future]() mutable { future.set_result("four"); });
        auto [a, b, c, d, e] = co_await gather(value_after(0.003, 1), nothing_after(0), task, future,
                                               value_after(0, 5));
        EXPECT_EQ(a, 1);
        EXPECT_EQ(b, std::monostate{});
        EXPECT_EQ(c, 3);
        EXPECT_EQ(task.result(), 3);  // a user's task keeps its result: gather copied it
        EXPECT_EQ(d, "four");
        EXPECT_EQ(e, 5);
    }());
}

TEST(Gather, VectorKeepsInputOrderNotCompletionOrder) {
    run_clean([]() -> Coro<void> {
        std::vector<Coro<int>> coros;
        for (int i = 0; i < 5; ++i) coros.push_back(value_after(0.001 * (5 - i), i));
        std::vector<int> got = co_await gather(std::move(coros));
        EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
        std::vector<std::monostate> empty = co_await gather(std::vector<Coro<void>>{});
        EXPECT_TRUE(empty.empty());
    }());
}

TEST(Gather, FirstFailureRaisesAtOnceAndTheOthersKeepRunning) {
    run_clean([]() -> Coro<void> {
        auto slow = create_task(value_after(0.05, 7));
        std::string error;
        try {
            co_await gather(slow, fail_after(0.001, "boom"), fail_after(0.002, "second"));
        } catch (const ValueError& e) {
            error = e.what();
        }
        EXPECT_EQ(error, "boom");
        EXPECT_FALSE(slow.done());
        EXPECT_FALSE(slow.cancelled());
        EXPECT_EQ(co_await slow, 7);
        co_await sleep(0.005);  // the second failure lands with nobody to see it: not reported
    }());
}

TEST(Gather, ReturnExceptionsCollectsEveryOutcome) {
    run_clean([]() -> Coro<void> {
        auto doomed = create_task(value_after(1, 0));
        get_running_loop().call_soon([doomed]() mutable { doomed.cancel("stop"); });
        auto [ok, bad, cancelled] = co_await gather_return_exceptions(value_after(0.001, 1), fail_after(0, "x"), doomed);
        EXPECT_EQ(std::get<0>(ok), 1);
        EXPECT_EQ(bad.index(), 1u);
        if (bad.index() == 1) {
            EXPECT_THROW(std::rethrow_exception(std::get<1>(bad)), ValueError);
        }
        std::string message = "none";
        try {
            if (cancelled.index() == 1) std::rethrow_exception(std::get<1>(cancelled));
        } catch (const CancelledError& e) {
            message = e.message();
        }
        EXPECT_EQ(message, "stop");
        std::vector<Coro<int>> coros;
        coros.push_back(fail_after(0, "y"));
        coros.push_back(value_after(0, 2));
        auto all = co_await gather_return_exceptions(std::move(coros));
        EXPECT_EQ(all.size(), 2u);
        EXPECT_EQ(all.at(0).index(), 1u);
        EXPECT_EQ(std::get<0>(all.at(1)), 2);
    }());
}

TEST(Gather, CancellingTheAwaitingTaskCancelsEveryChild) {
    run_clean([]() -> Coro<void> {
        bool first = false, second = false;
        auto outer = create_task([](bool& a, bool& b) -> Coro<void> {
            co_await gather(sleep_noting_cancel(1, a), sleep_noting_cancel(1, b));
        }(first, second));
        co_await yield(2);
        outer.cancel();
        EXPECT_TRUE(co_await raises_cancelled(outer));
        EXPECT_TRUE(first);
        EXPECT_TRUE(second);
    }());
}

TEST(Gather, CancellingTheGatherFutureCancelsChildren) {
    run_clean([]() -> Coro<void> {
        bool seen = false;
        auto done = create_task(value_after(0, 1));
        co_await done;
        auto g = gather(done, sleep_noting_cancel(1, seen));
        co_await yield();
        EXPECT_TRUE(g.cancel("enough"));
        try {
            co_await g;
            ADD_FAILURE() << "gather did not raise";
        } catch (const CancelledError&) {
        }
        EXPECT_TRUE(seen);
        EXPECT_FALSE(g.cancel());  // done
    }());
}

TEST(Gather, ACancelledChildCancelsTheGather) {
    run_clean([]() -> Coro<void> {
        auto child = create_task(value_after(1, 1));
        auto sibling = create_task(value_after(0.002, 2));
        get_running_loop().call_soon([child]() mutable { child.cancel(); });
        EXPECT_TRUE(co_await raises_cancelled(gather(child, sibling)));
        EXPECT_FALSE(sibling.cancelled());  // siblings are left alone
        EXPECT_EQ(co_await sibling, 2);
        EXPECT_FALSE(current_task()->cancelling());
    }());
}

}  // namespace
}  // namespace tulip
