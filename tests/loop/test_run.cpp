// run_forever / stop / close, and how often run_once polls the backend.
#include <cmath>
#include <functional>
#include <vector>

#include "loop_fixture.hpp"
#include "sys/fault.hpp"
#include "tulip/errors.hpp"

namespace tulip::test {
namespace {

using RunLoop = LoopTest;

TEST_F(RunLoop, StopLetsTheCurrentBatchFinishButNotWhatItScheduled) {
    std::vector<int> order;
    loop.call_soon([&] {
        order.push_back(1);
        loop.stop();
        loop.call_soon([&] { order.push_back(3); });
    });
    loop.call_soon([&] { order.push_back(2); });
    loop.run_forever();
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
    EXPECT_FALSE(loop.is_running());
    // The next run starts with what the stopped one left queued (asyncio).
    loop.call_soon([this] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST_F(RunLoop, StopBeforeRunForeverRunsOneIteration) {
    int runs = 0;
    loop.call_soon([&] { ++runs; });
    loop.stop();
    loop.run_forever();
    EXPECT_EQ(runs, 1);
}

TEST_F(RunLoop, IsRunningOnlyInsideRunForever) {
    EXPECT_FALSE(loop.is_running());
    bool inside = false;
    EventLoop* current = nullptr;
    loop.call_soon([&] {
        inside = loop.is_running();
        current = running_loop();
        loop.stop();
    });
    loop.run_forever();
    EXPECT_TRUE(inside);
    EXPECT_EQ(current, &loop);
    EXPECT_FALSE(loop.is_running());
    EXPECT_EQ(running_loop(), nullptr);
    EXPECT_THROW(get_running_loop(), RuntimeError);
}

TEST_F(RunLoop, RunForeverWhileRunningRaises) {
    bool raised = false;
    loop.call_soon([&] {
        try {
            loop.run_forever();
        } catch (const RuntimeError&) {
            raised = true;
        }
        loop.stop();
    });
    loop.run_forever();
    EXPECT_TRUE(raised);
}

TEST_F(RunLoop, AnotherLoopCannotRunInsideARunningOne) {
    EventLoop other;
    bool raised = false;
    loop.call_soon([&] {
        try {
            other.run_forever();
        } catch (const RuntimeError&) {
            raised = true;
        }
        loop.stop();
    });
    loop.run_forever();
    EXPECT_TRUE(raised);
    other.close();
}

TEST_F(RunLoop, CloseWhileRunningRaises) {
    bool raised = false;
    loop.call_soon([&] {
        try {
            loop.close();
        } catch (const RuntimeError&) {
            raised = true;
        }
        loop.stop();
    });
    loop.run_forever();
    EXPECT_TRUE(raised);
    EXPECT_FALSE(loop.is_closed());
    loop.close();
    EXPECT_TRUE(loop.is_closed());
    loop.close();  // idempotent
}

TEST_F(RunLoop, RunForeverReturnsAfterAnExceptionFromStopCallback) {
    loop.set_exception_handler([](EventLoop&, const ExceptionContext&) {});
    loop.call_soon([this] {
        loop.stop();
        throw std::runtime_error("boom");
    });
    loop.run_forever();
    EXPECT_FALSE(loop.is_running());
}

// Tokio's event interval: a chain of call_soon polls the backend once per 61
// callbacks, not once per callback, and never less often than that.
TEST_F(RunLoop, ACallSoonChainPollsOncePerEventInterval) {
    using sys::fault::Call;
    Call wait = std::string_view(loop.backend_name()) == "poll"     ? Call::poll
                : std::string_view(loop.backend_name()) == "select" ? Call::select
                : std::string_view(loop.backend_name()) == "uring"  ? Call::io_uring_enter
                                                                    : Call::epoll_wait;
    sys::fault::Scope scope;
    // A rule that never fires, only to switch the call counters on.
    sys::fault::inject({.call = Call::socketpair, .error = EMFILE, .skip = ~std::uint64_t{0}});
    constexpr int chain = 1000;
    int left = chain;
    std::function<void()> step = [&] {
        if (--left > 0) {
            loop.call_soon([&] { step(); });
        } else {
            loop.stop();
        }
    };
    loop.call_soon([&] { step(); });
    std::uint64_t before = sys::fault::calls(wait);
    loop.run_forever();
    std::uint64_t polls = sys::fault::calls(wait) - before;
    EXPECT_EQ(left, 0);
    EXPECT_LE(polls, static_cast<std::uint64_t>(chain / 61 + 2));
    EXPECT_GE(polls, static_cast<std::uint64_t>(chain / 61));
}

TEST_F(RunLoop, RunOnceBlocksUntilTheNextTimer) {
    bool fired = false;
    double start = loop.time();  // before call_later: its delay counts from its own call
    loop.call_later(0.02, [&] { fired = true; });
    while (!fired) loop.run_once();
    EXPECT_GE(loop.time() - start, 0.02);
    EXPECT_LT(loop.time() - start, 1.0);
}

}  // namespace
}  // namespace tulip::test
