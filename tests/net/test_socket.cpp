// net: Socket over real loopback sockets — IPv4, IPv6, Unix, UDP — with Python's
// timeout semantics, errors, and sendall surviving injected faults.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/fds.hpp"
#include "sys/fault.hpp"
#include "tulip/net.hpp"

namespace tulip {
namespace {

using Clock = std::chrono::steady_clock;

class SocketTest : public ::testing::Test {
protected:
    void SetUp() override { fds_before_ = testing::count_open_fds(); }
    void TearDown() override { EXPECT_EQ(testing::count_open_fds(), fds_before_) << "a test leaked a descriptor"; }

    // A listening socket on `host` port 0, and a connected pair through it.
    static Socket listener(const Address& where) {
        Socket server(where.family());
        server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
        server.bind(where);
        server.listen();
        return server;
    }

    int fds_before_ = 0;
};

bool has_ipv6() {
    try {
        Socket s(AF_INET6);
        s.bind(Address::ipv6("::1", 0));
        return true;
    } catch (const OSError&) {
        return false;
    }
}


TEST_F(SocketTest, Ipv4RoundTrip) {
    Socket server = listener(Address::ipv4("127.0.0.1", 0));
    Address bound = server.getsockname();
    EXPECT_EQ(bound.host(), "127.0.0.1");
    EXPECT_NE(bound.port(), 0);

    Socket client(AF_INET);
    client.connect(bound);
    auto [conn, peer] = server.accept();
    EXPECT_EQ(peer, client.getsockname());
    EXPECT_EQ(conn.getpeername(), client.getsockname());
    EXPECT_EQ(conn.family(), AF_INET);
    EXPECT_EQ(conn.type(), SOCK_STREAM);

    client.sendall("hello");
    EXPECT_EQ(conn.recv(1024), "hello");
    conn.sendall("world");
    char buf[16];
    EXPECT_EQ(client.recv_into(buf), 5u);
    EXPECT_EQ(std::string_view(buf, 5), "world");
    client.shutdown(SHUT_WR);
    EXPECT_EQ(conn.recv(1024), "");  // EOF is an empty string, as in Python
}

TEST_F(SocketTest, Ipv6RoundTrip) {
    if (!has_ipv6()) GTEST_SKIP() << "no IPv6 loopback here";
    Socket server = listener(Address::parse("[::1]:0"));
    Socket client(AF_INET6);
    client.connect(server.getsockname());
    auto [conn, peer] = server.accept();
    EXPECT_EQ(peer.family(), AF_INET6);
    EXPECT_EQ(peer.to_string().rfind("[::1]:", 0), 0u);
    client.sendall("six");
    EXPECT_EQ(conn.recv(16), "six");
}

TEST_F(SocketTest, UnixStreamRoundTrip) {
    std::string path = ::testing::TempDir() + "tulip-test-" + std::to_string(::getpid()) + ".sock";
    ::unlink(path.c_str());
    Socket server = listener(Address::unix_path(path));
    EXPECT_EQ(server.getsockname().to_string(), path);
    Socket client(AF_UNIX);
    client.connect(Address::unix_path(path));
    auto [conn, peer] = server.accept();
    client.sendall("unix");
    EXPECT_EQ(conn.recv(16), "unix");
    ::unlink(path.c_str());
}

TEST_F(SocketTest, UdpSendtoRecvfrom) {
    Socket a(AF_INET, SOCK_DGRAM), b(AF_INET, SOCK_DGRAM);
    a.bind(Address::ipv4("127.0.0.1", 0));
    b.bind(Address::ipv4("127.0.0.1", 0));
    EXPECT_EQ(a.sendto("ping", b.getsockname()), 4u);
    auto [data, from] = b.recvfrom(64);
    EXPECT_EQ(data, "ping");
    EXPECT_EQ(from, a.getsockname());
}

TEST_F(SocketTest, TimeoutsMeanWhatTheyMeanInPython) {
    auto [a, b] = Socket::pair();
    EXPECT_EQ(a.gettimeout(), std::nullopt);
    EXPECT_TRUE(a.getblocking());

    a.settimeout(0.1);
    auto start = Clock::now();
    try {
        a.recv(1);
        ADD_FAILURE() << "recv did not time out";
    } catch (const TimeoutError& e) {
        EXPECT_STREQ(e.what(), "timed out");
    }
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(95));

    a.settimeout(0);
    EXPECT_FALSE(a.getblocking());
    EXPECT_THROW(a.recv(1), BlockingIOError);
    a.setblocking(true);
    EXPECT_EQ(a.gettimeout(), std::nullopt);
    a.setblocking(false);
    EXPECT_EQ(a.gettimeout(), 0.0);
    EXPECT_THROW(a.settimeout(-1.0), ValueError);

    b.sendall("x");
    a.settimeout(1.0);
    EXPECT_EQ(a.recv(1), "x");  // data already there: no waiting
}

TEST_F(SocketTest, AcceptTimesOut) {
    Socket server = listener(Address::ipv4("127.0.0.1", 0));
    server.settimeout(0.05);
    EXPECT_THROW(server.accept(), TimeoutError);
    server.settimeout(0);
    EXPECT_THROW(server.accept(), BlockingIOError);
}

TEST_F(SocketTest, ConnectRefusedSaysWhereWithPythonsMessage) {
    Address closed;
    {
        Socket probe = listener(Address::ipv4("127.0.0.1", 0));
        closed = probe.getsockname();
    }
    Socket client(AF_INET);
    try {
        client.connect(closed);
        ADD_FAILURE() << "connect to a closed port succeeded";
    } catch (const ConnectionRefusedError& e) {
        EXPECT_EQ(e.errno_value(), ECONNREFUSED);
        EXPECT_EQ(std::string(e.what()), "[Errno 111] Connection refused: connect " + closed.to_string());
    }
    Socket other(AF_INET);
    EXPECT_EQ(other.connect_ex(closed), ECONNREFUSED);
}

TEST_F(SocketTest, NonBlockingConnectReportsInProgress) {
    Socket server = listener(Address::ipv4("127.0.0.1", 0));
    Socket client(AF_INET);
    client.setblocking(false);
    int err = client.connect_ex(server.getsockname());
    EXPECT_TRUE(err == 0 || err == EINPROGRESS) << err;
}

TEST_F(SocketTest, ConnectInterruptedBySignalStillConnects) {
    Socket server = listener(Address::ipv4("127.0.0.1", 0));
    sys::fault::Scope scope;
    sys::fault::inject({.call = sys::fault::Call::connect, .error = EINTR});
    Socket client(AF_INET);
    client.connect(server.getsockname());  // waits for the connect to finish (PEP 475)
    EXPECT_EQ(sys::fault::faults(), 1u);
    auto [conn, peer] = server.accept();
    client.sendall("after EINTR");
    EXPECT_EQ(conn.recv(64), "after EINTR");
}

TEST_F(SocketTest, WritingToAClosedPeerRaisesNotSigpipe) {
    auto [a, b] = Socket::pair();
    b.close();
    EXPECT_THROW(a.sendall(std::string(100'000, 'x')), BrokenPipeError);
}

TEST_F(SocketTest, ClosedSocketRaisesBadFileDescriptor) {
    auto [a, b] = Socket::pair();
    a.close();
    a.close();  // idempotent
    EXPECT_EQ(a.fileno(), -1);
    try {
        a.recv(1);
        ADD_FAILURE();
    } catch (const OSError& e) {
        EXPECT_EQ(e.errno_value(), EBADF);
    }
}

TEST_F(SocketTest, MoveAndDetachTransferOwnership) {
    auto [a, b] = Socket::pair();
    int fd = a.fileno();
    Socket moved = std::move(a);
    EXPECT_EQ(moved.fileno(), fd);
    EXPECT_EQ(a.fileno(), -1);  // NOLINT(bugprone-use-after-move): the contract under test
    int raw = moved.detach();
    EXPECT_EQ(raw, fd);
    EXPECT_FALSE(moved);
    ::close(raw);
}

TEST_F(SocketTest, SockoptsRoundTrip) {
    Socket s(AF_INET);
    s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    EXPECT_EQ(s.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    EXPECT_NE(s.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
}

// 16 MiB through sendall while the injector makes sends fail with EINTR and
// EAGAIN and come back short, and recvs come back short: every byte arrives in order.
TEST_F(SocketTest, SendallSurvivesEintrEagainAndShortWrites) {
    constexpr std::size_t total = 16u << 20;
    std::string payload(total, '\0');
    for (std::size_t i = 0; i < total; ++i) payload[i] = static_cast<char>((i * 2654435761u) >> 13);

    Socket server = listener(Address::ipv4("127.0.0.1", 0));
    Socket client(AF_INET);
    client.connect(server.getsockname());
    auto [conn, peer] = server.accept();

    std::string received;
    std::thread reader([&, &c = conn] {
        received.reserve(total);
        char buf[65536];
        while (std::size_t n = c.recv_into(buf)) received.append(buf, n);
    });

    {
        sys::fault::Scope scope(2024);
        using sys::fault::Call;
        sys::fault::inject({.call = Call::send, .error = EINTR, .times = 0, .probability = 0.2});
        sys::fault::inject({.call = Call::send, .error = EAGAIN, .times = 0, .probability = 0.1});
        sys::fault::inject({.call = Call::send, .max_bytes = 777, .times = 0, .probability = 0.3});
        sys::fault::inject({.call = Call::recv, .max_bytes = 1000, .times = 0, .probability = 0.3});
        client.sendall(payload);
        EXPECT_GT(sys::fault::faults(), 50u);
    }
    client.shutdown(SHUT_WR);
    reader.join();
    ASSERT_EQ(received.size(), total);
    EXPECT_TRUE(received == payload) << "bytes arrived out of order or changed";
}

TEST_F(SocketTest, SendallTimeoutBoundsTheWholeCall) {
    auto [a, b] = Socket::pair();
    a.settimeout(0.1);
    auto start = Clock::now();
    EXPECT_THROW(a.sendall(std::string(64u << 20, 'x')), TimeoutError);  // b never reads
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace tulip
