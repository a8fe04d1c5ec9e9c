#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

std::vector<Task<int>> start(std::initializer_list<double> delays) {
    std::vector<Task<int>> tasks;
    int i = 0;
    for (double d : delays) tasks.push_back(create_task(value_after(d, i++)));
    return tasks;
}

Coro<void> finish_all(std::vector<Task<int>> tasks) {
    for (auto& t : tasks) {
        if (!t.done()) t.cancel();
        try {
            co_await t;
        } catch (const CancelledError&) {
        } catch (const std::exception&) {
        }
    }
}

TEST(Wait, AllCompleted) {
    run_clean([]() -> Coro<void> {
        auto tasks = start({0.003, 0.001, 0.002});
        auto [done, pending] = co_await wait(tasks);
        EXPECT_EQ(done.size(), 3u);
        EXPECT_TRUE(pending.empty());
        EXPECT_EQ(done[0].result(), 0);  // input order
    }());
}

TEST(Wait, FirstCompletedLeavesTheOthersRunning) {
    run_clean([]() -> Coro<void> {
        auto tasks = start({1, 0.001, 1});
        auto [done, pending] = co_await wait(tasks, std::nullopt, FIRST_COMPLETED);
        EXPECT_EQ(done.size(), 1u);
        EXPECT_EQ(done.at(0).result(), 1);
        EXPECT_EQ(pending.size(), 2u);
        for (auto& t : pending) EXPECT_FALSE(t.done());
        co_await finish_all(tasks);
    }());
}

TEST(Wait, FirstException) {
    run_clean([]() -> Coro<void> {
        std::vector<Task<int>> tasks = start({0.001, 1});
        tasks.push_back(create_task(fail_after(0.002, "bad")));
        auto [done, pending] = co_await wait(tasks, std::nullopt, FIRST_EXCEPTION);
        EXPECT_EQ(done.size(), 2u);
        EXPECT_EQ(pending.size(), 1u);
        EXPECT_TRUE(tasks[2].exception() != nullptr);
        co_await finish_all(tasks);
    }());
}

TEST(Wait, TimeoutReturnsWithoutCancelling) {
    run_clean([]() -> Coro<void> {
        auto tasks = start({0.001, 1});
        auto [done, pending] = co_await wait(tasks, 0.01);
        EXPECT_EQ(done.size(), 1u);
        EXPECT_EQ(pending.size(), 1u);
        EXPECT_FALSE(tasks[1].done());
        co_await finish_all(tasks);
        std::vector<Future<int>> futures;
        futures.emplace_back();
        auto [d2, p2] = co_await wait(futures, 0.0);  // asyncio: a zero timeout still waits one turn
        EXPECT_TRUE(d2.empty());
        EXPECT_EQ(p2.size(), 1u);
    }());
}

TEST(Wait, EmptySetIsAValueError) {
    run_clean([]() -> Coro<void> {
        bool raised = false;
        try {
            co_await wait(std::vector<Task<int>>{});
        } catch (const ValueError&) {
            raised = true;
        }
        EXPECT_TRUE(raised);
    }());
}

TEST(Wait, CancellingTheWaiterLeavesTheFuturesAlone) {
    run_clean([]() -> Coro<void> {
        auto tasks = start({1, 1});
        auto waiter = create_task([](std::vector<Task<int>> ts) -> Coro<void> { co_await wait(std::move(ts)); }(tasks));
        co_await yield();
        waiter.cancel();
        EXPECT_TRUE(co_await raises_cancelled(waiter));
        for (auto& t : tasks) EXPECT_FALSE(t.done());
        co_await finish_all(tasks);
    }());
}

}  // namespace
}  // namespace tulip
