// Exceptions escaping callbacks: the exception handler gets them and the loop
// carries on; a failing handler is contained.
#include <stdexcept>
#include <string>
#include <vector>

#include "loop_fixture.hpp"

namespace tulip::test {
namespace {

using ExceptionHandlerTest = LoopTest;

TEST_F(ExceptionHandlerTest, CallbackExceptionGoesToTheHandlerAndTheLoopKeepsRunning) {
    std::vector<ExceptionContext> seen;
    loop.set_exception_handler([&](EventLoop& l, const ExceptionContext& c) {
        EXPECT_EQ(&l, &loop);
        seen.push_back(c);
    });
    bool next_ran = false, later_ran = false;
    loop.call_soon([] { throw std::runtime_error("first"); });
    loop.call_soon([&] { next_ran = true; });
    loop.call_later(0.001, [&] {
        later_ran = true;
        loop.stop();
    });
    loop.run_forever();
    EXPECT_TRUE(next_ran);
    EXPECT_TRUE(later_ran);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].message, "Exception in callback");
    EXPECT_NE(seen[0].source.find("test_exception_handler.cpp"), std::string::npos) << seen[0].source;
    ASSERT_TRUE(seen[0].exception);
    EXPECT_EQ(describe_exception(seen[0].exception), "std::runtime_error: first");
}

TEST_F(ExceptionHandlerTest, ReaderAndTimerExceptionsAreReportedToo) {
    int reports = 0;
    loop.set_exception_handler([&](EventLoop&, const ExceptionContext&) { ++reports; });
    loop.call_later(0.001, [] { throw std::logic_error("timer"); });
    loop.call_later(0.005, [this] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(reports, 1);
}

TEST_F(ExceptionHandlerTest, AnExceptionInTheHandlerIsContained) {
    loop.set_exception_handler([](EventLoop&, const ExceptionContext&) { throw std::runtime_error("handler"); });
    bool next_ran = false;
    loop.call_soon([] { throw std::runtime_error("callback"); });
    loop.call_soon([&] {
        next_ran = true;
        loop.stop();
    });
    ::testing::internal::CaptureStderr();
    loop.run_forever();
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(next_ran);
    EXPECT_NE(err.find("Unhandled error in exception handler"), std::string::npos) << err;
    EXPECT_NE(err.find("callback"), std::string::npos) << err;  // the original is still reported
}

TEST_F(ExceptionHandlerTest, DefaultHandlerLogsToStderr) {
    EXPECT_FALSE(loop.get_exception_handler());
    loop.call_soon([] { throw std::invalid_argument("bad thing"); });
    loop.call_soon([this] { loop.stop(); });
    ::testing::internal::CaptureStderr();
    loop.run_forever();
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("Exception in callback"), std::string::npos) << err;
    EXPECT_NE(err.find("std::invalid_argument: bad thing"), std::string::npos) << err;
}

TEST_F(ExceptionHandlerTest, ResettingTheHandlerRestoresTheDefault) {
    int custom = 0;
    loop.set_exception_handler([&](EventLoop&, const ExceptionContext&) { ++custom; });
    loop.set_exception_handler(nullptr);
    loop.call_soon([] { throw 42; });
    loop.call_soon([this] { loop.stop(); });
    ::testing::internal::CaptureStderr();
    loop.run_forever();
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(custom, 0);
    EXPECT_NE(err.find("int"), std::string::npos) << err;
}

}  // namespace
}  // namespace tulip::test
