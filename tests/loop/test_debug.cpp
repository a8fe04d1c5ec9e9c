// Debug mode: callbacks slower than slow_callback_duration are logged.
#include <chrono>
#include <string>
#include <thread>

#include "loop_fixture.hpp"

namespace tulip::test {
namespace {

using Debug = LoopTest;

void busy(double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }

TEST_F(Debug, SlowCallbackIsLoggedInDebugMode) {
    loop.set_debug(true);
    EXPECT_TRUE(loop.get_debug());
    loop.slow_callback_duration = 0.01;
    loop.call_soon([] { busy(0.02); });
    loop.call_soon([this] { loop.stop(); });
    ::testing::internal::CaptureStderr();
    loop.run_forever();
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("took"), std::string::npos) << err;
    EXPECT_NE(err.find("test_debug.cpp"), std::string::npos) << err;  // names the callback
    EXPECT_EQ(err.find("took", err.find("took") + 1), std::string::npos) << err;  // only the slow one
}

TEST_F(Debug, ThresholdIsConfigurable) {
    loop.set_debug(true);
    loop.slow_callback_duration = 1.0;
    loop.call_soon([] { busy(0.02); });
    loop.call_soon([this] { loop.stop(); });
    ::testing::internal::CaptureStderr();
    loop.run_forever();
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_F(Debug, NothingIsLoggedOutsideDebugMode) {
    loop.slow_callback_duration = 0.001;
    loop.call_soon([] { busy(0.01); });
    loop.call_soon([this] { loop.stop(); });
    ::testing::internal::CaptureStderr();
    loop.run_forever();
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace tulip::test
