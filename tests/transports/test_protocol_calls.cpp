// transports: the protocol state machine (CM -> DR* -> ER? -> CL), reading
// control, BufferedProtocol, get_extra_info and the write buffer limits.
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "support/ipv6.hpp"
#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

using Calls = std::vector<std::string>;

class ProtocolCalls : public TransportTest {};

// The server replies on EOF and then calls close() and abort(): connection_lost
// still comes once, after the call that caused it, and nothing follows it.
Coro<void> close_then_abort(Log& server_log, Log& client_log) {
    EventLoop& loop = get_running_loop();
    struct ClosingRecorder : Recorder {
        using Recorder::Recorder;
        bool eof_received() override {
            Recorder::eof_received();
            log.transport->write("bye");
            log.transport->close();
            log.transport->abort();  // the connection is already going: no second connection_lost
            log.transport->close();
            log.calls.push_back("after");  // connection_lost did not run inside those calls
            return true;
        }
    };
    Server server = co_await loop.create_server([&] { return std::make_unique<ClosingRecorder>(server_log); },
                                                "127.0.0.1", 0);
    auto [transport, protocol] =
        co_await loop.create_connection([&] { return std::make_unique<Recorder>(client_log); }, "127.0.0.1",
                                        port_of(server));
    EXPECT_EQ(client_log.calls, Calls{"CM"});  // made before create_connection returned
    transport->write("hello");
    transport->write_eof();
    EXPECT_THROW(transport->write("more"), RuntimeError);
    co_await server_log.lost.wait();
    co_await client_log.lost.wait();
    co_await sleep(0.01);  // a stray second call would come now
    server.close();
    co_await server.wait_closed();
}

TEST_F(ProtocolCalls, StateMachineAndConnectionLostOnceAfterCloseAndAbort) {
    Log server_log, client_log;
    run_bounded(close_then_abort(server_log, client_log));
    EXPECT_EQ(server_log.calls, (Calls{"CM", "DR", "ER", "after", "CL"}));
    EXPECT_EQ(server_log.data, "hello");
    EXPECT_EQ(server_log.eof_at, 5u);
    // "bye" was written before close(): abort() dropped whatever was still buffered,
    // which for three bytes is nothing; the client then sees EOF.
    EXPECT_EQ(client_log.calls, (Calls{"CM", "DR", "ER", "CL"}));
    EXPECT_EQ(client_log.data, "bye");
    EXPECT_FALSE(client_log.error);
    EXPECT_EQ(server_log.destroyed, 1);
    EXPECT_EQ(client_log.destroyed, 1);
}

// abort() first, then close(): one connection_lost, and no data after it.
Coro<void> abort_then_close(Log& client_log) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server(echo_factory(), "127.0.0.1", 0);
    auto [transport, protocol] = co_await loop.create_connection(
        [&] { return std::make_unique<Recorder>(client_log); }, "127.0.0.1", port_of(server));
    transport->write("ping");
    transport->abort();
    transport->close();
    transport->abort();
    EXPECT_TRUE(transport->is_closing());
    transport->write("ignored");  // after the connection is lost: dropped, as asyncio
    co_await client_log.lost.wait();
    co_await sleep(0.02);
    server.close();
    co_await server.wait_closed();
}

TEST_F(ProtocolCalls, AbortThenCloseCallsConnectionLostOnce) {
    Log client_log;
    run_bounded(abort_then_close(client_log));
    EXPECT_EQ(client_log.calls, (Calls{"CM", "CL"}));
    EXPECT_EQ(client_log.data, "");
}

// pause_reading stops data_received until resume_reading; pausing and resuming
// from inside data_received loses nothing (and leaks nothing: see the fixture).
Coro<void> pause_and_resume(Log& log) {
    EventLoop& loop = get_running_loop();
    struct Pausing : Recorder {
        using Recorder::Recorder;
        void connection_made(Transport& t) override {
            Recorder::connection_made(t);
            t.pause_reading();
        }
        void data_received(std::string_view data) override {
            Recorder::data_received(data);
            log.transport->pause_reading();
            log.transport->resume_reading();
        }
    };
    Server server = co_await loop.create_server([&] { return std::make_unique<Pausing>(log); }, "127.0.0.1", 0);
    Socket client(AF_INET);
    client.setblocking(false);
    co_await loop.sock_connect(client, server.sockets().at(0).getsockname());
    co_await loop.sock_sendall(client, "first");
    co_await log.made.wait();
    co_await sleep(0.05);
    EXPECT_EQ(log.data, "");  // paused since connection_made
    EXPECT_FALSE(log.transport->is_reading());
    log.want = 5;
    log.transport->resume_reading();
    log.transport->resume_reading();  // idempotent
    EXPECT_TRUE(log.transport->is_reading());
    co_await log.enough.wait();
    EXPECT_EQ(log.data, "first");

    log.transport->pause_reading();
    co_await loop.sock_sendall(client, "second");
    co_await sleep(0.05);
    EXPECT_EQ(log.data, "first");
    log.want = 11;
    log.enough.clear();
    log.transport->resume_reading();
    co_await log.enough.wait();
    EXPECT_EQ(log.data, "firstsecond");

    std::string big = pattern(1 << 20);
    log.want = 11 + big.size();
    log.enough.clear();
    co_await loop.sock_sendall(client, big);
    co_await log.enough.wait();
    EXPECT_TRUE(log.data.substr(11) == big);
    client.close();
    co_await log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

TEST_F(ProtocolCalls, PauseAndResumeReading) {
    Log log;
    run_bounded(pause_and_resume(log));
    EXPECT_EQ(log.calls, (Calls{"CM", "DR", "ER", "CL"}));
    EXPECT_EQ(log.destroyed, 1);  // no reference to the transport was left behind
}

// The protocol pauses in its first data_received, and the EOF is there already
// (on io_uring its completion may come in the same poll as the data's, and the
// transport holds it): resume_reading gives eof_received, then connection_lost.
Coro<void> eof_while_paused(Log& log) {
    EventLoop& loop = get_running_loop();
    struct PausingOnData : Recorder {
        using Recorder::Recorder;
        void data_received(std::string_view data) override {
            Recorder::data_received(data);
            log.transport->pause_reading();
        }
    };
    Server server =
        co_await loop.create_server([&] { return std::make_unique<PausingOnData>(log); }, "127.0.0.1", 0);
    Socket client(AF_INET);
    client.setblocking(false);
    co_await loop.sock_connect(client, server.sockets().at(0).getsockname());
    co_await log.made.wait();
    log.want = 3;
    co_await loop.sock_sendall(client, "one");  // no wait between: the server sees both at once
    client.shutdown(SHUT_WR);
    co_await log.enough.wait();
    co_await sleep(0.05);
    EXPECT_EQ(log.calls, (Calls{"CM", "DR"}));
    log.transport->resume_reading();
    co_await log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

TEST_F(ProtocolCalls, EofThatCameWhilePausedFollowsResume) {
    Log log;
    run_bounded(eof_while_paused(log));
    EXPECT_EQ(log.calls, (Calls{"CM", "DR", "ER", "CL"}));
    EXPECT_EQ(log.data, "one");
    EXPECT_EQ(log.eof_at, 3u);
    EXPECT_EQ(log.destroyed, 1);
}

// BufferedProtocol: the bytes land in the protocol's own (small) buffer.
struct Collector : BufferedProtocol {
    Log& log;
    char buffer[1000];
    std::size_t gets = 0;
    explicit Collector(Log& l) : log(l) {}
    void connection_made(Transport& t) override {
        log.transport = &t;
        log.calls.push_back("CM");
    }
    std::span<char> get_buffer(std::size_t sizehint) override {
        EXPECT_GT(sizehint, 0u);
        ++gets;
        return {buffer, sizeof buffer};
    }
    void buffer_updated(std::size_t n) override {
        EXPECT_LE(n, sizeof buffer);
        if (log.calls.back() != "DR") log.calls.push_back("DR");
        log.data.append(buffer, n);
    }
    bool eof_received() override {
        log.calls.push_back("ER");
        log.eof_at = log.data.size();
        return false;
    }
    void connection_lost(std::exception_ptr e) override {
        log.calls.push_back(e ? "CL(error)" : "CL");
        log.transport = nullptr;
        log.lost.set();
    }
};

Coro<void> buffered(Log& log, const std::string& payload) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server([&] { return std::make_unique<Collector>(log); }, "127.0.0.1", 0);
    Socket client(AF_INET);
    client.setblocking(false);
    co_await loop.sock_connect(client, server.sockets().at(0).getsockname());
    co_await loop.sock_sendall(client, payload);
    client.shutdown(SHUT_WR);
    co_await log.lost.wait();
    client.close();
    server.close();
    co_await server.wait_closed();
}

TEST_F(ProtocolCalls, BufferedProtocolGetBufferAndBufferUpdated) {
    Log log;
    std::string payload = pattern(1 << 20, 7);
    run_bounded(buffered(log, payload));
    EXPECT_EQ(log.calls, (Calls{"CM", "DR", "ER", "CL"}));
    EXPECT_EQ(log.data.size(), payload.size());
    EXPECT_TRUE(log.data == payload);
    EXPECT_EQ(log.eof_at, payload.size());
}

Coro<void> extra_info(Log& server_log) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server([&] { return std::make_unique<Recorder>(server_log); },
                                                "127.0.0.1", 0);
    Address server_addr = server.sockets().at(0).getsockname();
    Log client_log;
    auto [transport, protocol] = co_await loop.create_connection(
        [&] { return std::make_unique<Recorder>(client_log); }, "127.0.0.1", server_addr.port());
    co_await server_log.made.wait();
    EXPECT_EQ(&transport->get_protocol(), protocol);
    EXPECT_EQ(&transport->get_loop(), &loop);

    auto peer = std::any_cast<Address>(transport->get_extra_info("peername"));
    auto local = std::any_cast<Address>(transport->get_extra_info("sockname"));
    const auto* sock = std::any_cast<const Socket*>(transport->get_extra_info("socket"));
    EXPECT_EQ(peer, server_addr);
    EXPECT_NE(sock, nullptr);
    if (sock) {
        EXPECT_GE(sock->fileno(), 0);
        EXPECT_EQ(sock->getsockname(), local);
        EXPECT_EQ(sock->getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);  // asyncio sets it too
    }
    EXPECT_FALSE(transport->get_extra_info("no such thing").has_value());
    // The server's side sees the same connection from the other end.
    EXPECT_EQ(std::any_cast<Address>(server_log.transport->get_extra_info("peername")), local);
    EXPECT_EQ(std::any_cast<Address>(server_log.transport->get_extra_info("sockname")), server_addr);

    transport->close();
    co_await client_log.lost.wait();
    co_await server_log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

TEST_F(ProtocolCalls, GetExtraInfo) {
    Log server_log;
    run_bounded(extra_info(server_log));
    EXPECT_EQ(server_log.calls, (Calls{"CM", "ER", "CL"}));
}

// asyncio keeps the peer's address from the start: after a reset, when
// getpeername() fails (ENOTCONN) and an error message wants it most, the
// transport still answers "peername" in connection_lost. IPv4 peers are kept
// inline, IPv6 ones in a block of their own: both are checked.
Coro<void> peername_after_reset(const char* host, Address& seen, Address& expected, std::exception_ptr& error) {
    EventLoop& loop = get_running_loop();
    Event lost;
    struct PeerOnLost : Protocol {
        Address& seen;
        std::exception_ptr& error;
        Event& lost;
        Transport* transport = nullptr;
        PeerOnLost(Address& s, std::exception_ptr& e, Event& l) : seen(s), error(e), lost(l) {}
        void connection_made(Transport& t) override { transport = &t; }
        void data_received(std::string_view) override {}
        void connection_lost(std::exception_ptr e) override {
            error = e;
            std::any peer = transport->get_extra_info("peername");
            if (peer.has_value()) seen = std::any_cast<Address>(peer);
            lost.set();
        }
    };
    Server server = co_await loop.create_server(
        [&] { return std::make_unique<PeerOnLost>(seen, error, lost); }, host, 0);
    Socket client(server.sockets().at(0).getsockname().family(), SOCK_STREAM);
    client.connect(server.sockets().at(0).getsockname());
    expected = client.getsockname();
    co_await sleep(0.05);  // the server accepts and starts reading
    linger abort_on_close{1, 0};
    ::setsockopt(client.fileno(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    client.close();  // RST
    co_await lost.wait();
    server.close();
    co_await server.wait_closed();
}

TEST_F(ProtocolCalls, PeernameSurvivesAReset) {
    Address seen, expected;
    std::exception_ptr error;
    run_bounded(peername_after_reset("127.0.0.1", seen, expected, error));
    EXPECT_TRUE(error) << "the reset should reach connection_lost as an error";
    EXPECT_EQ(seen, expected);
}

TEST_F(ProtocolCalls, Ipv6PeernameSurvivesAReset) {
    if (!testing::ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback";
    Address seen, expected;
    std::exception_ptr error;
    run_bounded(peername_after_reset("::1", seen, expected, error));
    EXPECT_TRUE(error) << "the reset should reach connection_lost as an error";
    EXPECT_EQ(seen.family(), AF_INET6);
    EXPECT_EQ(seen, expected);
}

// Limits: asyncio's defaults and order (low, high); lowering the high mark below
// what is buffered pauses at once; draining resumes.
Coro<void> limits(std::vector<std::string>& flow) {
    EventLoop& loop = get_running_loop();
    struct Flow : Protocol {
        std::vector<std::string>& flow;
        explicit Flow(std::vector<std::string>& f) : flow(f) {}
        void pause_writing() override { flow.push_back("pause"); }
        void resume_writing() override { flow.push_back("resume"); }
    };
    Socket listener(AF_INET);
    listener.bind(Address::ipv4("127.0.0.1", 0));
    listener.listen();
    listener.setblocking(false);
    Socket client(AF_INET);
    client.setblocking(false);
    co_await loop.sock_connect(client, listener.getsockname());
    auto [peer, addr] = co_await loop.sock_accept(listener);
    auto [transport, protocol] =
        co_await loop.create_connection([&] { return std::make_unique<Flow>(flow); }, std::move(client));
    EXPECT_EQ(transport->get_write_buffer_limits(), (std::pair<std::size_t, std::size_t>{16384, 65536}));
    EXPECT_THROW(transport->set_write_buffer_limits(10, 100), ValueError);
    transport->set_write_buffer_limits(std::size_t{1} << 30, 0);
    EXPECT_EQ(transport->get_write_buffer_limits(), (std::pair<std::size_t, std::size_t>{0, std::size_t{1} << 30}));

    const std::string payload = pattern(8 << 20, 3);  // more than the socket buffers hold
    transport->write(payload);
    std::size_t buffered = transport->get_write_buffer_size();
    EXPECT_GT(buffered, 0u);
    EXPECT_TRUE(flow.empty());  // under the (huge) high mark
    transport->set_write_buffer_limits(1024, 512);
    EXPECT_EQ(flow, (std::vector<std::string>{"pause"}));

    std::string received;
    while (received.size() < payload.size()) {
        std::string chunk = co_await loop.sock_recv(peer, 1 << 20);
        if (chunk.empty()) break;
        received += chunk;
    }
    EXPECT_TRUE(received == payload);
    EXPECT_EQ(transport->get_write_buffer_size(), 0u);
    EXPECT_EQ(flow, (std::vector<std::string>{"pause", "resume"}));
    transport->close();
    EXPECT_EQ(co_await loop.sock_recv(peer, 10), "");
}

TEST_F(ProtocolCalls, WriteBufferLimits) {
    std::vector<std::string> flow;
    run_bounded(limits(flow));
}

}  // namespace
}  // namespace tulip::transport_test
