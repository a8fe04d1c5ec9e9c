// call_soon: FIFO order, cancellation, closed loops.
#include <array>
#include <memory>
#include <vector>

#include "loop_fixture.hpp"
#include "tulip/errors.hpp"

namespace tulip::test {
namespace {

using CallSoon = LoopTest;

TEST_F(CallSoon, RunsInFifoOrder) {
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) loop.call_soon([&order, i] { order.push_back(i); });
    loop.call_soon([this] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_F(CallSoon, CallbacksScheduledByCallbacksRunInTheNextIteration) {
    std::vector<int> order;
    loop.call_soon([&] {
        order.push_back(1);
        loop.call_soon([&] { order.push_back(3); });
    });
    loop.call_soon([&] { order.push_back(2); });
    loop.run_once();
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
    loop.run_once();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST_F(CallSoon, CancelledBeforeRunDoesNotRun) {
    bool ran = false, other = false;
    HandleRef h = loop.call_soon([&] { ran = true; });
    loop.call_soon([&] { other = true; });
    h.cancel();
    EXPECT_TRUE(h.cancelled());
    loop.run_once();
    EXPECT_FALSE(ran);
    EXPECT_TRUE(other);
}

TEST_F(CallSoon, CancelAfterRunIsHarmless) {
    int runs = 0;
    HandleRef h = loop.call_soon([&] { ++runs; });
    loop.run_once();
    h.cancel();
    h.cancel();
    loop.call_soon([this] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(runs, 1);
}

TEST_F(CallSoon, ACallbackCanCancelALaterOneInTheSameBatch) {
    bool ran = false;
    HandleRef second;
    loop.call_soon([&] { second.cancel(); });
    second = loop.call_soon([&] { ran = true; });
    loop.run_once();
    EXPECT_FALSE(ran);
}

TEST_F(CallSoon, ClosedLoopRejectsCallbacks) {
    loop.close();
    EXPECT_THROW(loop.call_soon([] {}), RuntimeError);
    EXPECT_THROW(loop.call_later(0.01, [] {}), RuntimeError);
    EXPECT_THROW(loop.call_at(loop.time(), [] {}), RuntimeError);
    EXPECT_THROW(loop.add_reader(0, [] {}), RuntimeError);
    EXPECT_THROW(loop.run_forever(), RuntimeError);
}

TEST_F(CallSoon, CloseDropsQueuedCallbacksAndTheirCaptures) {
    auto token = std::make_shared<int>(1);
    bool ran = false;
    loop.call_soon([token, &ran] { ran = true; });
    loop.call_later(10, [token, &ran] { ran = true; });
    EXPECT_EQ(token.use_count(), 3);
    loop.close();
    EXPECT_EQ(token.use_count(), 1);
    EXPECT_FALSE(ran);
}

TEST_F(CallSoon, LargeCapturesWork) {
    std::array<long, 32> big{};  // beyond the handle's inline storage
    big[31] = 7;
    long seen = 0;
    loop.call_soon([big, &seen] { seen = big[31]; });
    loop.run_once();
    EXPECT_EQ(seen, 7);
}

}  // namespace
}  // namespace tulip::test
