// The io_uring backend as the loop uses it: chosen by BackendKind::uring (or
// TULIP_BACKEND=uring), falling back to epoll where io_uring is unavailable, and
// closing a descriptor a task waits on releases its file at once.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/fds.hpp"
#include "sys/fault.hpp"
#include "tulip/tulip.hpp"

namespace tulip {
namespace {

class UringLoop : public ::testing::Test {
protected:
    void TearDown() override { EXPECT_EQ(testing::count_open_fds(), fds_) << "a descriptor leaked"; }
    int fds_ = testing::count_open_fds();
};

TEST_F(UringLoop, ChosenByBackendKind) {
    EventLoop loop(BackendKind::uring);
    EXPECT_STREQ(loop.backend_name(), UringSelector::available() ? "uring" : "epoll");
    int ran = 0;
    loop.call_soon([&] { ++ran; });
    loop.call_later(0.001, [&] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(ran, 1);
    loop.close();
}

TEST_F(UringLoop, FallsBackToEpollWhenIoUringIsUnavailable) {
    sys::fault::Scope scope;
    sys::fault::inject({.call = sys::fault::Call::io_uring_setup, .error = ENOSYS});
    EventLoop loop(BackendKind::uring);
    EXPECT_STREQ(loop.backend_name(), "epoll");
    auto [a, b] = Socket::pair();
    a.setblocking(false);
    b.sendall("x");
    EXPECT_EQ(loop.run_until_complete(loop.sock_recv(a, 16)), "x");
    loop.close();
}

// The backend's poll request holds the socket's file; the loop drops it before the
// descriptor is closed, so the peer sees EOF at once, not at the next poll.
TEST_F(UringLoop, ClosingASocketATaskWaitsOnReleasesItAtOnce) {
    EventLoop loop(BackendKind::uring);
    auto [a, b] = Socket::pair();
    a.setblocking(false);
    b.setblocking(false);
    ssize_t peer_read = -2;
    bool waiter_failed = false;
    auto reader = [&]() -> Coro<void> {
        try {
            co_await loop.sock_recv(a, 16);
        } catch (const OSError&) {
            waiter_failed = true;  // woken with EBADF
        }
    };
    Task<void> task = loop.create_task(reader());
    loop.call_later(0.01, [&] {
        a.close();
        char c;
        peer_read = ::read(b.fileno(), &c, 1);
    });
    loop.run_until_complete(task);
    EXPECT_EQ(peer_read, 0) << "the peer did not see EOF";
    EXPECT_TRUE(waiter_failed);
    loop.close();
}

// Many waits on one descriptor: each round the echo task finds nothing to read and
// waits (the registration is made once, one multishot poll), and is woken in turn.
TEST_F(UringLoop, ManyWaitsOnOneSocket) {
    EventLoop loop(BackendKind::uring);
    auto [a, b] = Socket::pair();
    a.setblocking(false);
    b.setblocking(false);
    constexpr int rounds = 1000;
    auto echo = [&]() -> Coro<void> {
        for (;;) {
            std::string got = co_await loop.sock_recv(b, 16);
            if (got.empty()) co_return;
            co_await loop.sock_sendall(b, got);
        }
    };
    auto ping = [&]() -> Coro<int> {
        int n = 0;
        for (int i = 0; i < rounds; ++i) {
            co_await loop.sock_sendall(a, "p");
            if (co_await loop.sock_recv(a, 16) == "p") ++n;
        }
        a.shutdown(SHUT_WR);
        co_return n;
    };
    Task<void> echoing = loop.create_task(echo());
    EXPECT_EQ(loop.run_until_complete(ping()), rounds);
    loop.run_until_complete(echoing);
    loop.close();
}

}  // namespace
}  // namespace tulip
