// Shared by the transport tests: a fixture that checks the clean-close rule (no
// descriptor and no task left behind), a protocol that records every call it
// gets, and small helpers. Protocols belong to their transports and die with
// them, so what a test inspects afterwards lives in a Log the test owns.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/fds.hpp"
#include "tulip/tulip.hpp"

namespace tulip::transport_test {

class TransportTest : public ::testing::Test {
protected:
    void SetUp() override { fds_ = tulip::testing::count_open_fds(); }
    void TearDown() override {
        EXPECT_EQ(tulip::testing::count_open_fds(), fds_) << "a descriptor leaked";
        EXPECT_TRUE(all_tasks().empty());
    }
    int fds_ = 0;
};

// Runs `main` to the end, or fails with TimeoutError after `seconds`.
template <class T>
T run_bounded(Coro<T> main, double seconds = 5.0) {
    return run(wait_for(std::move(main), seconds));
}

// What one connection's protocol saw. `calls` is the state machine's trace:
// "CM", "DR" (once per run of data_received calls), "ER", "CL" / "CL(error)".
struct Log {
    std::vector<std::string> calls;
    std::string data;
    std::exception_ptr error;
    Transport* transport = nullptr;  // between connection_made and connection_lost
    std::size_t eof_at = 0;          // data.size() when eof_received came
    std::size_t want = 0;            // `enough` is set once data.size() >= want
    int destroyed = 0;               // the protocol was freed (its transport did not leak)
    Event made, enough, eof, lost;
};

// Records into a Log. On EOF it writes `reply_on_eof` (if any) and keeps the
// connection open when `keep_open`, closing it after the reply.
struct Recorder : Protocol {
    Log& log;
    bool keep_open = false;
    std::string reply_on_eof;
    explicit Recorder(Log& l, bool keep = false, std::string reply = {})
        : log(l), keep_open(keep), reply_on_eof(std::move(reply)) {}
    ~Recorder() override { ++log.destroyed; }

    void connection_made(Transport& t) override {
        log.transport = &t;
        log.calls.push_back("CM");
        log.made.set();
    }
    void data_received(std::string_view data) override {
        if (log.calls.back() != "DR") log.calls.push_back("DR");
        log.data.append(data);
        if (log.data.size() >= log.want) log.enough.set();
    }
    bool eof_received() override {
        log.calls.push_back("ER");
        log.eof_at = log.data.size();
        log.eof.set();
        if (!reply_on_eof.empty()) {
            log.transport->write(reply_on_eof);
            if (keep_open) log.transport->close();  // after the reply is flushed
        }
        return keep_open;
    }
    void connection_lost(std::exception_ptr e) override {
        log.calls.push_back(e ? "CL(error)" : "CL");
        log.error = e;
        log.transport = nullptr;
        log.lost.set();
    }
};

// Echoes what it receives; closes on EOF (the default eof_received).
struct Echo : Protocol {
    Transport* transport = nullptr;
    void connection_made(Transport& t) override { transport = &t; }
    void data_received(std::string_view data) override { transport->write(data); }
};

inline ProtocolFactory echo_factory() {
    return [] { return std::make_unique<Echo>(); };
}

// `n` bytes of a pattern that does not repeat with any small period.
inline std::string pattern(std::size_t n, unsigned seed = 1) {
    std::string s(n, '\0');
    std::uint32_t x = seed * 2654435761u + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1664525u + 1013904223u;
        s[i] = static_cast<char>(x >> 24);
    }
    return s;
}

inline std::uint16_t port_of(const Server& server) { return server.sockets().at(0).getsockname().port(); }

// Sends `what` on a client socket and reads until as many bytes came back (or EOF).
inline Coro<std::string> echo(Socket& s, std::string_view what) {
    EventLoop& loop = get_running_loop();
    co_await loop.sock_sendall(s, what);
    std::string got;
    while (got.size() < what.size()) {
        std::string chunk = co_await loop.sock_recv(s, 100);
        if (chunk.empty()) break;
        got += chunk;
    }
    co_return got;
}

// A transport (with the factory's protocol) on one end of a non-blocking Unix
// socket pair; the other end is returned beside it.
struct TransportPair {
    TransportRef transport;
    Socket peer;
};
inline Coro<TransportPair> transport_on_pair(EventLoop::ProtocolFactory factory) {
    EventLoop& loop = get_running_loop();
    auto [a, b] = Socket::pair(AF_UNIX, SOCK_STREAM);
    a.setblocking(false);
    b.setblocking(false);
    auto [t, p] = co_await loop.create_connection(std::move(factory), std::move(a));
    co_return TransportPair{std::move(t), std::move(b)};
}
inline Coro<TransportPair> recorder_on_pair(Log& log) {
    return transport_on_pair([&log] { return std::make_unique<Recorder>(log); });
}

}  // namespace tulip::transport_test
