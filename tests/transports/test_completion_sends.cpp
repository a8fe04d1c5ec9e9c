// On io_uring a stream transport writes by completion: write() queues a send that
// the loop submits with its next poll, so no send syscall is made per write; on
// the other backends every write that goes out at once is a send. Checked by
// counting send calls, so a silent fall back to readiness writes would fail here.
// Then the two ways a send can still be running when the transport ends: an
// abort (cancelled; the bytes must outlive it) and a close (flushed first).
#include <gtest/gtest.h>

#include <string>

#include "support/call_counter.hpp"
#include "sys/fault.hpp"
#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

// Reads exactly `n` bytes from `sock` (or fewer at EOF).
Coro<std::string> recv_exactly(EventLoop& loop, Socket& sock, std::size_t n) {
    std::string got;
    while (got.size() < n) {
        std::string part = co_await loop.sock_recv(sock, n - got.size());
        if (part.empty()) break;
        got += part;
    }
    co_return got;
}

// The send calls 20 writes took, and the backend's name.
Coro<std::pair<std::uint64_t, std::string>> sends_for_writes(int writes) {
    EventLoop& loop = get_running_loop();
    Log log;
    auto [t, b] = co_await recorder_on_pair(log);
    std::uint64_t sends;
    {
        testing::CallCounter counter({sys::fault::Call::send, sys::fault::Call::sendmsg});
        for (int i = 0; i < writes; ++i) {
            t->write("hello");
            co_await sleep(0.001);  // one write per loop iteration
        }
        sends = counter.count();
    }
    std::string all;
    for (int i = 0; i < writes; ++i) all += "hello";
    EXPECT_EQ(co_await recv_exactly(loop, b, all.size()), all);
    EXPECT_EQ(t->get_write_buffer_size(), 0u);
    t->close();
    co_await log.lost.wait();
    co_return std::pair<std::uint64_t, std::string>(sends, loop.backend_name());
}

TEST_F(TransportTest, CompletionSendsOnUringOnly) {
    auto [sends, backend] = run_bounded(sends_for_writes(20));
    if (backend == "uring") {
        EXPECT_EQ(sends, 0u) << "the transport wrote with send on io_uring";
    } else {
        EXPECT_GE(sends, 20u);
    }
}

// A peer that does not read; 8 MB written, so a send waits in the kernel; then
// abort(): one connection_lost, the transport freed once the send's completion
// came (under ASan, a send reading freed bytes would show), the socket closed.
TEST_F(TransportTest, AbortWhileASendWaits) {
    Log log;
    run_bounded([&]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        auto [t, b] = co_await recorder_on_pair(log);
        t->write(std::string(8 << 20, 'x'));
        co_await sleep(0.02);  // the send is submitted and fills the socket
        EXPECT_GT(t->get_write_buffer_size(), 0u);
        t->abort();
        t = TransportRef();  // only the send's own reference may keep it now
        co_await log.lost.wait();
        co_await sleep(0.02);  // polls after the abort: the cancelled send completes
        std::string rest;
        for (;;) {  // whatever got into the socket, then EOF: the abort closed it
            std::string part = co_await loop.sock_recv(b, 1 << 20);
            if (part.empty()) break;
            rest += part;
        }
        EXPECT_LT(rest.size(), std::size_t{8} << 20);
    }());
    EXPECT_EQ(log.calls, (std::vector<std::string>{"CM", "CL"}));
    EXPECT_EQ(log.destroyed, 1) << "the transport (and its protocol) leaked";
}

// Writes of every size to a slow reader, then close(): every byte arrives, in
// order (short sends resume where they stopped; writes made while a send runs
// queue behind it), then EOF, then connection_lost without an error.
TEST_F(TransportTest, CloseFlushesEveryQueuedWrite) {
    Log log;
    run_bounded([&]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        auto [t, b] = co_await recorder_on_pair(log);
        std::string sent;
        for (int i = 0; i < 200; ++i) {
            std::string piece(static_cast<std::size_t>(1 + (i * 7919) % 60'000), static_cast<char>('a' + i % 26));
            t->write(piece);
            sent += piece;
            if (i % 50 == 0) co_await sleep(0);  // some sends start between writes
        }
        t->close();
        std::string got;
        for (;;) {
            std::string part = co_await loop.sock_recv(b, 100'000);
            if (part.empty()) break;
            got += part;
            co_await sleep(0.0005);  // a slow reader: the sender's sends come back short
        }
        EXPECT_EQ(got.size(), sent.size());
        EXPECT_TRUE(got == sent);
        co_await log.lost.wait();
    }());
    EXPECT_EQ(log.calls, (std::vector<std::string>{"CM", "CL"}));
    EXPECT_FALSE(log.error);
}

}  // namespace
}  // namespace tulip::transport_test
