// On io_uring a stream transport reads by completion: the kernel fills the loop's
// provided buffers and no recv syscall is made per message; on the other
// backends every message costs a recv. Checked by counting the recv calls of an
// echo exchange, so a silent fall back to readiness reads would fail here.
#include <gtest/gtest.h>

#include <string>

#include "support/call_counter.hpp"
#include "sys/fault.hpp"
#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

class CountingEcho : public Protocol {
public:
    explicit CountingEcho(std::string& got, std::size_t want, Event& done) : got_(got), want_(want), done_(done) {}
    void connection_made(Transport& t) override { transport_ = &t; }
    void data_received(std::string_view data) override {
        got_.append(data);
        if (got_.size() >= want_) done_.set();
    }
    Transport* transport_ = nullptr;

private:
    std::string& got_;
    std::size_t want_;
    Event& done_;
};

// The recv calls an echo of `messages` messages took, and the backend's name.
Coro<std::pair<std::uint64_t, std::string>> recvs_for_messages(int messages) {
    EventLoop& loop = get_running_loop();
    std::string got;
    Event done;
    auto [t, b] = co_await transport_on_pair(
        [&] { return std::make_unique<CountingEcho>(got, static_cast<std::size_t>(messages) * 5, done); });
    testing::CallCounter counter({sys::fault::Call::recv});
    for (int i = 0; i < messages; ++i) {
        co_await loop.sock_sendall(b, "hello");
        co_await sleep(0.001);  // one message per read
    }
    co_await done.wait();  // run_bounded bounds the whole test
    std::uint64_t recvs = counter.count();
    std::string all;
    for (int i = 0; i < messages; ++i) all += "hello";
    EXPECT_EQ(got, all);
    t->close();
    co_return std::pair<std::uint64_t, std::string>(recvs, loop.backend_name());
}

TEST_F(TransportTest, CompletionReadsOnUringOnly) {
    auto [recvs, backend] = run_bounded(recvs_for_messages(20));
    if (backend == "uring") {
        EXPECT_EQ(recvs, 0u) << "the transport read with recv on io_uring";
    } else {
        EXPECT_GE(recvs, 20u);
    }
}

// A protocol that pauses and then aborts from data_received: the pause stops the
// read without detaching it; the abort must still detach it before the transport
// goes, or the stop's last report reaches a freed transport (ASan: use after free).
class PauseThenAbort : public Protocol {
public:
    explicit PauseThenAbort(Event& lost) : lost_(lost) {}
    void connection_made(Transport& t) override { transport_ = &t; }
    void data_received(std::string_view) override {
        transport_->pause_reading();
        transport_->abort();
    }
    void connection_lost(std::exception_ptr) override { lost_.set(); }

private:
    Transport* transport_ = nullptr;
    Event& lost_;
};

TEST_F(TransportTest, PauseThenAbortInsideDataReceived) {
    run_bounded([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        Event lost;
        auto [t, b] = co_await transport_on_pair([&] { return std::make_unique<PauseThenAbort>(lost); });
        t = TransportRef();  // the protocol's abort alone ends it
        co_await loop.sock_sendall(b, "hello");
        co_await lost.wait();
        co_await sleep(0.02);  // polls after the transport is gone: the stop's reports arrive
        EXPECT_EQ(co_await loop.sock_recv(b, 10), "");  // the abort closed the socket
    }());
}

// Closing from data_received while held data is being delivered: the slice the
// protocol is reading must stay alive until it returns (on io_uring the held
// data, read before the pause took effect, is delivered by resume_reading in
// 64 KiB slices; ASan: use after free if close() dropped it). Elsewhere nothing
// is held and the same exchange checks only the bytes.
class CloseOnSecondRead : public Protocol {
public:
    explicit CloseOnSecondRead(std::string& got, Event& paused, Event& lost)
        : got_(got), paused_(paused), lost_(lost) {}
    void connection_made(Transport& t) override { transport_ = &t; }
    void data_received(std::string_view data) override {
        if (++reads_ == 1) {
            got_.append(data);
            transport_->pause_reading();
            paused_.set();
            return;
        }
        transport_->close();
        got_.append(data);  // after the close: the data must still be there
    }
    void connection_lost(std::exception_ptr) override { lost_.set(); }
    Transport* transport_ = nullptr;

private:
    std::string& got_;
    Event& paused_;
    Event& lost_;
    int reads_ = 0;
};

TEST_F(TransportTest, CloseWhileHeldDataIsDeliveredKeepsTheSliceAlive) {
    run_bounded([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        std::string got;
        Event paused, lost;
        auto [t, b] =
            co_await transport_on_pair([&] { return std::make_unique<CloseOnSecondRead>(got, paused, lost); });
        std::string sent;
        for (int i = 0; sent.size() < 150 * 1024; ++i) sent += std::to_string(i) + ",";
        // In one go: the kernel reads it in several pieces. A task: on readiness
        // backends the paused reader leaves the rest in the socket.
        Task<void> sending = loop.create_task(loop.sock_sendall(b, sent));
        co_await paused.wait();
        co_await sleep(0.01);  // the pause's stop settles; what was read meanwhile is held
        t->resume_reading();
        co_await sleep(0.05);
        if (!lost.is_set()) t->close();  // a readiness read took it all before the pause
        co_await lost.wait();
        try {
            co_await sending;
        } catch (const OSError&) {  // the rest met the closed socket
        }
        EXPECT_GT(got.size(), 0u);
        EXPECT_EQ(got, sent.substr(0, got.size()));
    }());
}

}  // namespace
}  // namespace tulip::transport_test
