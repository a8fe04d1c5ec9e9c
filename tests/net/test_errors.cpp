// net: errno maps to the OSError subclass Python would raise, with Python's message.
#include <gtest/gtest.h>

#include <cerrno>

#include "tulip/errors.hpp"

namespace tulip {
namespace {

template <class E>
void expect_raises(int err) {
    try {
        raise_os_error(err);
    } catch (const E& e) {
        EXPECT_EQ(e.errno_value(), err);
        return;
    } catch (...) {
    }
    ADD_FAILURE() << "errno " << err << " did not raise the expected class";
}

TEST(Errors, ErrnoPicksPythonsSubclass) {
    expect_raises<BlockingIOError>(EAGAIN);
    expect_raises<BlockingIOError>(EINPROGRESS);
    expect_raises<BrokenPipeError>(EPIPE);
    expect_raises<ConnectionAbortedError>(ECONNABORTED);
    expect_raises<ConnectionRefusedError>(ECONNREFUSED);
    expect_raises<ConnectionResetError>(ECONNRESET);
    expect_raises<ConnectionError>(ECONNRESET);
    expect_raises<FileNotFoundError>(ENOENT);
    expect_raises<PermissionError>(EACCES);
    expect_raises<TimeoutError>(ETIMEDOUT);
    expect_raises<InterruptedError>(EINTR);
    expect_raises<OSError>(EADDRINUSE);
}

TEST(Errors, MessageReadsLikePython) {
    EXPECT_STREQ(ConnectionRefusedError(ECONNREFUSED).what(), "[Errno 111] Connection refused");
    EXPECT_STREQ(OSError(EADDRINUSE, "bind 127.0.0.1:80").what(),
                 "[Errno 98] Address already in use: bind 127.0.0.1:80");
}

TEST(Errors, OsErrorIsASystemError) {
    try {
        raise_os_error(ECONNRESET);
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_reset);
    }
}

TEST(Errors, CheckPassesSuccessAndThrowsFailure) {
    EXPECT_EQ(check(5), 5);
    EXPECT_THROW(check(-EPIPE), BrokenPipeError);
}

}  // namespace
}  // namespace tulip
