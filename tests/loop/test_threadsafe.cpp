// call_soon_threadsafe: every call from every thread runs exactly once, on the
// loop thread, and a call wakes a loop blocked in the backend.
#include <atomic>
#include <thread>
#include <vector>

#include "loop_fixture.hpp"
#include "tulip/errors.hpp"

namespace tulip::test {
namespace {

using Threadsafe = LoopTest;

TEST_F(Threadsafe, ManyThreadsCallsAllRunExactlyOnceOnTheLoopThread) {
    constexpr int threads = 4, calls = 10'000;
    std::vector<int> counts(threads * calls, 0);  // touched on the loop thread only
    int total = 0;
    bool wrong_thread = false;
    std::thread::id loop_thread = std::this_thread::get_id();
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
        producers.emplace_back([&, t] {
            for (int i = 0; i < calls; ++i) {
                loop.call_soon_threadsafe([&, slot = t * calls + i] {
                    ++counts[static_cast<std::size_t>(slot)];
                    if (std::this_thread::get_id() != loop_thread) wrong_thread = true;
                    if (++total == threads * calls) loop.stop();
                });
            }
        });
    }
    loop.call_later(4.0, [this] { loop.stop(); });  // a bound, should it hang
    loop.run_forever();
    for (auto& p : producers) p.join();
    EXPECT_EQ(total, threads * calls);
    EXPECT_FALSE(wrong_thread);
    for (int c : counts) ASSERT_EQ(c, 1);
}

TEST_F(Threadsafe, WakesALoopBlockedWithNoTimers) {
    std::atomic<bool> blocked{false};
    double woke = 0, sent = 0;
    loop.call_soon([&] { blocked = true; });
    std::thread other([&] {
        while (!blocked) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the loop is in the backend now
        sent = loop.time();
        loop.call_soon_threadsafe([&] {
            woke = loop.time();
            loop.stop();
        });
    });
    loop.run_forever();  // nothing else is scheduled: only the wake-up ends this
    other.join();
    EXPECT_GE(woke, sent);
    EXPECT_LT(woke - sent, 0.5);
}

TEST_F(Threadsafe, ClosedLoopRejectsThreadsafeCalls) {
    loop.close();
    auto token = std::make_shared<int>(0);
    std::thread other([&] { EXPECT_THROW(loop.call_soon_threadsafe([token] {}), RuntimeError); });
    other.join();
    EXPECT_EQ(token.use_count(), 1);  // the rejected callable was destroyed
}

TEST_F(Threadsafe, PendingThreadsafeCallsAreDroppedOnClose) {
    auto token = std::make_shared<int>(0);
    std::thread other([&] { loop.call_soon_threadsafe([token] {}); });
    other.join();
    EXPECT_EQ(token.use_count(), 2);
    loop.close();
    EXPECT_EQ(token.use_count(), 1);
}

}  // namespace
}  // namespace tulip::test
