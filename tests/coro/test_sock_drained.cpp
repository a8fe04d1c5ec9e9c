// sock_recv after a short read: the socket is known empty, so the next sock_recv
// waits for readiness instead of spending a recv on EAGAIN — but never at the
// cost of data: datagrams queued behind the one read, and a hang-up that came with
// the data (whose edge will not come again), are still read at once.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

#include "support/call_counter.hpp"
#include "sys/fault.hpp"
#include "tasks_test.hpp"

namespace tulip {
namespace {

using tasks_test::run_clean;

// Counts the recv calls a body makes.
struct RecvCounter : testing::CallCounter {
    RecvCounter() : CallCounter({sys::fault::Call::recv}) {}
};

void send_now(Socket& sock, std::string_view data) { ASSERT_EQ(sock.send(data), data.size()); }

TEST(SockDrained, ShortReadSparesTheNextRecvItsEagain) {
    run_clean([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        auto [a, b] = Socket::pair(AF_UNIX, SOCK_STREAM);
        a.setblocking(false);
        RecvCounter counter;
        send_now(b, "one");
        EXPECT_EQ(co_await loop.sock_recv(a, 100), "one");  // short: the socket is empty now
        EXPECT_EQ(counter.count(), 1u);
        loop.call_later(0.01, [&b] { send_now(b, "two"); });
        EXPECT_EQ(co_await loop.sock_recv(a, 100), "two");
        EXPECT_EQ(counter.count(), 2u) << "the second sock_recv tried a recv that could only say EAGAIN";
        // A full read proves nothing: the next sock_recv reads at once.
        send_now(b, "three");
        EXPECT_EQ(co_await loop.sock_recv(a, 2), "th");
        EXPECT_EQ(co_await loop.sock_recv(a, 100), "ree");
        EXPECT_EQ(counter.count(), 4u);
    }());
}

TEST(SockDrained, DataThatCameMeanwhileIsReadWithoutDelay) {
    run_clean([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        auto [a, b] = Socket::pair(AF_UNIX, SOCK_STREAM);
        a.setblocking(false);
        send_now(b, "one");
        EXPECT_EQ(co_await loop.sock_recv(a, 100), "one");
        send_now(b, "two");  // before the next sock_recv: its edge is still to be reported
        auto got = co_await wait_for(loop.sock_recv(a, 100), 1.0);
        EXPECT_EQ(got, "two");
    }());
}

TEST(SockDrained, DatagramsQueuedBehindAShortReadAreNotWaitedFor) {
    run_clean([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        auto [a, b] = Socket::pair(AF_UNIX, SOCK_DGRAM);
        a.setblocking(false);
        RecvCounter counter;
        for (const char* d : {"1", "22", "333"}) send_now(b, d);
        for (const char* d : {"1", "22", "333"}) EXPECT_EQ(co_await wait_for(loop.sock_recv(a, 100), 1.0), d);
        EXPECT_EQ(counter.count(), 3u) << "a datagram socket is not empty after a short read";
    }());
}

// The hang-up arrives with the data, after the socket is registered: the one
// report carries both, and the EOF must not wait for an edge that never comes.
TEST(SockDrained, EofThatCameWithTheDataIsSeenAtOnce) {
    run_clean([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        auto [a, b] = Socket::pair(AF_UNIX, SOCK_STREAM);
        a.setblocking(false);
        loop.call_later(0.01, [&b] {
            send_now(b, "last words");
            b.shutdown(SHUT_WR);
        });
        EXPECT_EQ(co_await loop.sock_recv(a, 100), "last words");  // waited: registered now
        auto eof = co_await wait_for(loop.sock_recv(a, 100), 1.0);
        EXPECT_EQ(eof, "");
    }());
}

}  // namespace
}  // namespace tulip
