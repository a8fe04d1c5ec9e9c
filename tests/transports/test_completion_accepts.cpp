// On io_uring the Server accepts by completion: one multishot accept per
// listening socket, and no accept syscall per connection; on the other backends
// every connection costs an accept. Counted through the fault layer, so a silent
// fall back to readiness accepts would fail here. Then what must hold on every
// backend: closing the server amid connections leaks no descriptor, a shortage
// (EMFILE) pauses accepting and it resumes, a throwing factory costs only its
// own connection.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sys/fault.hpp"
#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

namespace fault = sys::fault;

// Echoes, and checks the accepted socket's flags (as sys::accept sets them).
struct FlagCheckingEcho : Echo {
    int& bad_flags;
    explicit FlagCheckingEcho(int& bad) : bad_flags(bad) {}
    void connection_made(Transport& t) override {
        Echo::connection_made(t);
        int fd = std::any_cast<const Socket*>(t.get_extra_info("socket"))->fileno();
        if (!(::fcntl(fd, F_GETFL) & O_NONBLOCK) || !(::fcntl(fd, F_GETFD) & FD_CLOEXEC)) ++bad_flags;
    }
};

Coro<Socket> connect_to(std::uint16_t port) {
    Socket s(AF_INET);
    s.setblocking(false);
    co_await get_running_loop().sock_connect(s, Address::ipv4("127.0.0.1", port));
    co_return s;
}

struct AcceptCounts {
    std::uint64_t accepts = 0;          // accept()/accept4() syscalls
    std::uint64_t kernel_accepts = 0;   // connections io_uring accepted
    int bad_flags = 0;
    int echoed = 0;
    std::string backend;
};

constexpr int clients = 50;

Coro<void> accept_many(AcceptCounts& r) {
    EventLoop& loop = get_running_loop();
    r.backend = loop.backend_name();
    Server server = co_await loop.create_server(
        [&r] { return std::make_unique<FlagCheckingEcho>(r.bad_flags); }, "127.0.0.1", 0);
    fault::Scope scope;
    fault::inject({.call = fault::Call::accept, .error = EIO, .skip = ~0ull});  // counts only
    std::vector<Socket> conns;
    for (int i = 0; i < clients; ++i) conns.push_back(co_await connect_to(port_of(server)));
    for (int i = 0; i < clients; ++i) {
        std::string msg = "hello " + std::to_string(i);
        if (co_await echo(conns[static_cast<std::size_t>(i)], msg) == msg) ++r.echoed;
    }
    r.accepts = fault::calls(fault::Call::accept);
    r.kernel_accepts = fault::calls(fault::Call::uring_accept);
    server.close();
    server.close_clients();
    for (Socket& c : conns) c.close();
    co_await server.wait_closed();
}

TEST_F(TransportTest, CompletionAcceptsOnUringOnly) {
    AcceptCounts r;
    run_bounded(accept_many(r));
    EXPECT_EQ(r.echoed, clients);
    EXPECT_EQ(r.bad_flags, 0) << "an accepted socket is blocking or not close-on-exec";
    if (r.backend == "uring") {
        EXPECT_EQ(r.accepts, 0u) << "the server accepted with accept() on io_uring";
        EXPECT_EQ(r.kernel_accepts, static_cast<std::uint64_t>(clients));
    } else {
        EXPECT_GE(r.accepts, static_cast<std::uint64_t>(clients));
        EXPECT_EQ(r.kernel_accepts, 0u);
    }
}

// Connections arrive in one burst (blocking connects: the kernel queues them all
// before the loop polls) and the first connection's factory closes the server:
// on io_uring the kernel has accepted the rest already, and they must be closed,
// not leaked (the fixture counts descriptors); elsewhere they stay queued on the
// listening socket and go with it.
TEST_F(TransportTest, ServerClosedByFactoryAmidBurstLeaksNothing) {
    run_bounded([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        Server* self = nullptr;
        int made = 0;
        Server server = co_await loop.create_server(
            [&] {
                ++made;
                self->close();
                return std::make_unique<Echo>();
            },
            "127.0.0.1", 0);
        self = &server;
        std::vector<Socket> conns;
        for (int i = 0; i < 20; ++i) {
            conns.emplace_back(AF_INET);
            conns.back().connect(Address::ipv4("127.0.0.1", port_of(server)));
        }
        while (made == 0) co_await sleep(0.001);
        co_await sleep(0.05);  // polls after the close: late completions arrive
        EXPECT_EQ(made, 1);
        EXPECT_FALSE(server.is_serving());
        server.close_clients();
        for (Socket& c : conns) c.close();
        co_await server.wait_closed();
    }());
}

// Connects clients to `port` one after another until `stop`.
Coro<void> keep_connecting(std::uint16_t port, const bool& stop, std::vector<Socket>& conns) {
    EventLoop& loop = get_running_loop();
    while (!stop) {
        Socket s(AF_INET);
        s.setblocking(false);
        try {
            co_await loop.sock_connect(s, Address::ipv4("127.0.0.1", port));
        } catch (const OSError&) {  // refused once the server is closed
        }
        conns.push_back(std::move(s));
    }
}

// Clients keep connecting while the server closes: whatever the kernel accepted
// around the close is either served or closed (the fixture counts descriptors).
TEST_F(TransportTest, ServerCloseWhileClientsConnect) {
    run_bounded([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        int made = 0;
        Server server = co_await loop.create_server(
            [&] {
                ++made;
                return std::make_unique<Echo>();
            },
            "127.0.0.1", 0);
        bool stop = false;
        std::vector<Socket> conns;
        Task<void> connector = loop.create_task(keep_connecting(port_of(server), stop, conns));
        while (made < 20) co_await sleep(0.001);
        server.close();
        co_await sleep(0.02);
        stop = true;
        co_await connector;
        EXPECT_GT(conns.size(), 20u);
        server.close_clients();
        for (Socket& c : conns) c.close();
        co_await server.wait_closed();
    }());
}

// A shortage from accept pauses accepting for a moment (not a spin, not the end):
// one report, then a client that came during the pause is served after it. The
// fault is injected where each backend accepts: the accept syscall, or the
// completion of io_uring's accept (the connection is dropped, as the kernel would).
TEST_F(TransportTest, AcceptShortagePausesThenResumes) {
    run_bounded([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        std::vector<std::string> reports;
        loop.set_exception_handler([&](EventLoop&, const ExceptionContext& c) { reports.push_back(c.message); });
        Server server = co_await loop.create_server(echo_factory(), "127.0.0.1", 0);
        fault::Scope scope;
        const bool uring = std::string_view(loop.backend_name()) == "uring";
        fault::inject({.call = uring ? fault::Call::uring_accept : fault::Call::accept, .error = EMFILE});
        Socket first = co_await connect_to(port_of(server));
        while (reports.empty()) co_await sleep(0.001);
        const double paused_at = loop.time();
        co_await sleep(0.01);  // the stop lands
        Socket later = co_await connect_to(port_of(server));
        EXPECT_EQ(co_await echo(later, "after the pause"), "after the pause");
        EXPECT_GE(loop.time() - paused_at, 0.2) << "served before the pause ended";
        EXPECT_EQ(reports.size(), 1u);
        EXPECT_NE(reports.at(0).find("accepting paused"), std::string::npos) << reports.at(0);
        EXPECT_EQ(fault::faults(), 1u);
        loop.set_exception_handler(nullptr);
        server.close();
        server.close_clients();
        first.close();
        later.close();
        co_await server.wait_closed();
    }());
}

// A factory that throws costs only its connection: the error is reported and
// the next client is served.
TEST_F(TransportTest, ThrowingFactoryReportedAndServerGoesOn) {
    run_bounded([]() -> Coro<void> {
        EventLoop& loop = get_running_loop();
        std::vector<std::string> reports;
        loop.set_exception_handler([&](EventLoop&, const ExceptionContext& c) { reports.push_back(c.message); });
        int made = 0;
        Server server = co_await loop.create_server(
            [&]() -> std::unique_ptr<BaseProtocol> {
                if (made++ == 0) throw std::runtime_error("no protocol for you");
                return std::make_unique<Echo>();
            },
            "127.0.0.1", 0);
        Socket refused = co_await connect_to(port_of(server));
        EXPECT_EQ(co_await loop.sock_recv(refused, 10), "");  // its connection was closed
        Socket served = co_await connect_to(port_of(server));
        EXPECT_EQ(co_await echo(served, "still serving"), "still serving");
        EXPECT_EQ(reports.size(), 1u);
        EXPECT_NE(reports.at(0).find("protocol factory"), std::string::npos) << reports.at(0);
        loop.set_exception_handler(nullptr);
        server.close();
        server.close_clients();
        refused.close();
        served.close();
        co_await server.wait_closed();
    }());
}

}  // namespace
}  // namespace tulip::transport_test
