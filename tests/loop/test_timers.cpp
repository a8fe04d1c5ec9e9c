// call_later / call_at: deadline order, FIFO ties, cancellation, the clock.
#include <vector>

#include "loop_fixture.hpp"

namespace tulip::test {
namespace {

using Timers = LoopTest;

TEST_F(Timers, FireInDeadlineOrder) {
    std::vector<int> order;
    loop.call_later(0.03, [&] { order.push_back(3); });
    loop.call_later(0.01, [&] { order.push_back(1); });
    loop.call_later(0.02, [&] { order.push_back(2); });
    loop.call_later(0.04, [this] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST_F(Timers, SameDeadlineFiresInFifoOrder) {
    std::vector<int> order;
    double when = loop.time() + 0.01;
    for (int i = 0; i < 10; ++i) loop.call_at(when, [&order, i] { order.push_back(i); });
    loop.call_at(when, [this] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST_F(Timers, NeverFireEarly) {
    double start = loop.time();
    double fired = 0;
    TimerHandle h = loop.call_later(0.02, [&] {
        fired = loop.time();
        loop.stop();
    });
    EXPECT_NEAR(h.when(), start + 0.02, 0.005);
    loop.run_forever();
    EXPECT_GE(fired - start, 0.02);
    EXPECT_LT(fired - start, 1.0);
}

TEST_F(Timers, CancelledTimerDoesNotFire) {
    bool fired = false;
    TimerHandle h = loop.call_later(0.01, [&] { fired = true; });
    h.cancel();
    EXPECT_TRUE(h.cancelled());
    run_for(0.03);
    EXPECT_FALSE(fired);
}

TEST_F(Timers, CancelAfterFireIsHarmless) {
    int fired = 0;
    TimerHandle h = loop.call_later(0.001, [&] { ++fired; });
    run_for(0.02);
    EXPECT_EQ(fired, 1);
    h.cancel();
    run_for(0.01);
    EXPECT_EQ(fired, 1);
}

TEST_F(Timers, ManyCancelledTimersAreCompactedAndTheRestStillFire) {
    std::vector<TimerHandle> handles;
    int fired = 0;
    for (int i = 0; i < 1000; ++i) handles.push_back(loop.call_later(0.01 + i * 1e-6, [&] { ++fired; }));
    for (int i = 0; i < 1000; ++i) {
        if (i % 10 != 0) handles[static_cast<std::size_t>(i)].cancel();
    }
    run_for(0.03);
    EXPECT_EQ(fired, 100);
}

TEST_F(Timers, TimeIsMonotonic) {
    double last = loop.time();
    for (int i = 0; i < 1000; ++i) {
        double now = loop.time();
        ASSERT_GE(now, last);
        last = now;
    }
    EXPECT_GT(loop.time(), 0.0);
}

TEST_F(Timers, FireWhileACallSoonChainKeepsTheQueueBusy) {
    bool fired = false;
    long chained = 0;
    std::function<void()> next = [&] {
        ++chained;
        if (!fired) loop.call_soon([&] { next(); });
    };
    loop.call_later(0.01, [&] {
        fired = true;
        loop.stop();
    });
    loop.call_soon([&] { next(); });
    double start = loop.time();
    loop.run_forever();
    EXPECT_TRUE(fired);
    EXPECT_GT(chained, 1);
    EXPECT_LT(loop.time() - start, 1.0);
}

TEST_F(Timers, ZeroAndNegativeDelaysRunOnTheNextPoll) {
    std::vector<int> order;
    loop.call_later(-1, [&] { order.push_back(1); });
    loop.call_later(0, [&] { order.push_back(2); });
    loop.call_later(0.005, [this] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace tulip::test
