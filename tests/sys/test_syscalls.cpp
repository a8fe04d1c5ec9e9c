// sys: the wrappers' contract — -errno results, EINTR retried, waits keep their deadline.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include "sys/fault.hpp"
#include "sys/syscalls.hpp"

namespace tulip::sys {
namespace {

TEST(Syscalls, ErrorsComeBackAsNegativeErrno) {
    char c;
    EXPECT_EQ(sys::read(-1, &c, 1), -EBADF);
    EXPECT_EQ(sys::close(-1), -EBADF);
    int fds[2];
    ASSERT_EQ(sys::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ASSERT_EQ(sys::set_nonblocking(fds[0], true), 0);
    EXPECT_EQ(sys::recv(fds[0], &c, 1, 0), -EAGAIN);
    EXPECT_EQ(sys::close(fds[0]), 0);
    EXPECT_EQ(sys::close(fds[1]), 0);
}

TEST(Syscalls, SendToAClosedPeerIsEpipeNotSigpipe) {
    int fds[2];
    ASSERT_EQ(sys::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ::close(fds[1]);
    // Without MSG_NOSIGNAL this would kill the test process with SIGPIPE.
    EXPECT_EQ(sys::send(fds[0], "x", 1, 0), -EPIPE);
    iovec iov{const_cast<char*>("x"), 1};
    EXPECT_EQ(sys::sendmsg(fds[0], &iov, 1, 0), -EPIPE);
    ::close(fds[0]);
}

TEST(Syscalls, DescriptorsAreCloseOnExec) {
    int fd = sys::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
    ::close(fd);
    int ep = sys::epoll_create();
    ASSERT_GE(ep, 0);
    EXPECT_TRUE(::fcntl(ep, F_GETFD) & FD_CLOEXEC);
    ::close(ep);
}

void on_alarm(int) {}

// A real signal interrupts poll() part-way; the wrapper must resume with the time
// left, so the whole wait still lasts about the timeout (PEP 475).
TEST(Syscalls, WaitInterruptedBySignalKeepsItsDeadline) {
    struct sigaction sa {};
    sa.sa_handler = on_alarm;  // no SA_RESTART: poll() returns EINTR
    struct sigaction old {};
    ASSERT_EQ(::sigaction(SIGALRM, &sa, &old), 0);
    itimerval timer{};
    timer.it_value.tv_usec = 50'000;
    ASSERT_EQ(::setitimer(ITIMER_REAL, &timer, nullptr), 0);

    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pollfd p{fds[0], POLLIN, 0};
    std::int64_t start = sys::monotonic_ns();
    EXPECT_EQ(sys::poll(&p, 1, 200'000'000), 0);
    std::int64_t elapsed = sys::monotonic_ns() - start;
    EXPECT_GE(elapsed, 190'000'000);
    EXPECT_LT(elapsed, 1'000'000'000);
    ::close(fds[0]);
    ::close(fds[1]);
    ::sigaction(SIGALRM, &old, nullptr);
}

TEST(Syscalls, InjectedEintrInAWaitKeepsItsDeadline) {
    int ep = sys::epoll_create();
    ASSERT_GE(ep, 0);
    fault::Scope scope;
    fault::inject({.call = fault::Call::epoll_wait, .error = EINTR, .times = 3});
    epoll_event ev[4];
    std::int64_t start = sys::monotonic_ns();
    EXPECT_EQ(sys::epoll_wait(ep, ev, 4, 50'000'000), 0);
    EXPECT_GE(sys::monotonic_ns() - start, 49'000'000);
    EXPECT_EQ(fault::calls(fault::Call::epoll_wait), 4u);
    ::close(ep);
}

TEST(Syscalls, WaitTimeoutRoundsUpNeverDown) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pollfd p{fds[0], POLLIN, 0};
    std::int64_t start = sys::monotonic_ns();
    EXPECT_EQ(sys::poll(&p, 1, 100'000), 0);  // 0.1 ms must not become a 0 ms busy poll
    EXPECT_GE(sys::monotonic_ns() - start, 100'000);
    ::close(fds[0]);
    ::close(fds[1]);
}

}  // namespace
}  // namespace tulip::sys
