// LoopGroup / run_per_core: one loop per thread, each running its own main; stop()
// from any thread cancels them all; join() rethrows the first real failure.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "support/eventually.hpp"
#include "support/fds.hpp"
#include "tulip/coro/loop_group.hpp"
#include "tulip/tulip.hpp"

namespace tulip {
namespace {

using testing::eventually;

class LoopGroupTest : public ::testing::Test {
protected:
    void TearDown() override { EXPECT_EQ(testing::count_open_fds(), fds_) << "a descriptor leaked"; }
    int fds_ = testing::count_open_fds();
};

TEST_F(LoopGroupTest, RunPerCoreRunsEveryIndexOnItsOwnThreadAndLoop) {
    std::mutex mutex;
    std::set<int> indexes;
    std::set<std::thread::id> threads;
    std::set<EventLoop*> loops;
    std::atomic<int> arrived{0};
    run_per_core(3, [&](int index) -> Coro<void> {
        {
            std::lock_guard lock(mutex);
            indexes.insert(index);
            threads.insert(std::this_thread::get_id());
            loops.insert(&get_running_loop());
        }
        // All three live at once, so that no thread or loop is a finished one's reuse.
        ++arrived;
        for (int i = 0; i < 5000 && arrived < 3; ++i) co_await sleep(0.001);
    });
    EXPECT_EQ(arrived, 3);
    EXPECT_EQ(indexes, (std::set<int>{0, 1, 2}));
    EXPECT_EQ(threads.size(), 3u);
    EXPECT_EQ(loops.size(), 3u);
    EXPECT_FALSE(threads.contains(std::this_thread::get_id()));
}

TEST_F(LoopGroupTest, DefaultSizeIsOnePerCore) {
    LoopGroup group;
    EXPECT_EQ(group.size(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST_F(LoopGroupTest, StopCancelsEveryMain) {
    std::atomic<int> started{0}, cancelled{0};
    LoopGroup group(2);
    group.start([&](int) -> Coro<void> {
        ++started;
        try {
            co_await sleep(10);
        } catch (const CancelledError&) {
            ++cancelled;
            throw;
        }
    });
    ASSERT_TRUE(eventually([&] { return started == 2; }));
    auto begin = std::chrono::steady_clock::now();
    group.stop();
    group.join();  // a cancellation caused by stop() is not an error
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(), 2.0);
    EXPECT_EQ(cancelled, 2);
}

TEST_F(LoopGroupTest, StopBeforeTheMainsBeginCancelsThemAsTheyBegin) {
    std::atomic<int> finished{0};
    LoopGroup group(2);
    group.stop();
    group.start([&](int) -> Coro<void> {
        co_await sleep(10);
        ++finished;
    });
    group.join();
    EXPECT_EQ(finished, 0);
}

TEST_F(LoopGroupTest, JoinRethrowsTheFirstFailure) {
    LoopGroup group(2);
    group.start([](int index) -> Coro<void> {
        co_await sleep(0.001);
        if (index == 1) throw ValueError("boom");
    });
    EXPECT_THROW(group.join(), ValueError);
    group.join();  // reported once
}

TEST_F(LoopGroupTest, StartTwiceRaises) {
    LoopGroup group(1);
    group.start([](int) -> Coro<void> { co_return; });
    EXPECT_THROW(group.start([](int) -> Coro<void> { co_return; }), RuntimeError);
    group.join();
}

}  // namespace
}  // namespace tulip
