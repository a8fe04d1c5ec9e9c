// transports: the same echo over IPv6 ([::1]) and over a Unix socket.
#include <unistd.h>

#include "support/ipv6.hpp"
#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

using testing::ipv6_loopback_available;

class Families : public TransportTest {};

Coro<void> echo_over(Server server, std::pair<Ref<Transport>, BaseProtocol*> connection, Log& log,
                     const std::string& payload) {
    Ref<Transport> transport = connection.first;
    log.want = payload.size();
    transport->write(payload);
    co_await log.enough.wait();
    transport->close();
    co_await log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

Coro<int> ipv6_echo(Log& log, const std::string& payload) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server(echo_factory(), "::1", 0);
    Address addr = server.sockets().at(0).getsockname();
    EXPECT_EQ(addr.family(), AF_INET6);
    auto connection = co_await loop.create_connection([&] { return std::make_unique<Recorder>(log); }, "::1",
                                                      addr.port());
    Address peer = std::any_cast<Address>(connection.first->get_extra_info("peername"));
    EXPECT_EQ(peer, addr);
    co_await echo_over(std::move(server), std::move(connection), log, payload);
    co_return peer.family();
}

TEST_F(Families, Ipv6Echo) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback";
    Log log;
    std::string payload = pattern(300 * 1024, 5);
    EXPECT_EQ(run_bounded(ipv6_echo(log, payload)), AF_INET6);
    EXPECT_TRUE(log.data == payload);
    EXPECT_EQ(log.calls, (std::vector<std::string>{"CM", "DR", "CL"}));
}

std::string socket_path() {
    static int counter = 0;
    return "/tmp/tulip-tport-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".sock";
}

Coro<void> unix_echo(Log& log, const std::string& payload, const std::string& path) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_unix_server(echo_factory(), path);
    EXPECT_EQ(server.sockets().at(0).getsockname().family(), AF_UNIX);
    auto connection = co_await loop.create_unix_connection([&] { return std::make_unique<Recorder>(log); }, path);
    Address peer = std::any_cast<Address>(connection.first->get_extra_info("peername"));
    EXPECT_EQ(peer.host(), path);
    co_await echo_over(std::move(server), std::move(connection), log, payload);
}

TEST_F(Families, UnixEcho) {
    Log log;
    std::string payload = pattern(3 << 20, 6);  // more than a Unix socket buffers
    std::string path = socket_path();
    run_bounded(unix_echo(log, payload, path));
    ::unlink(path.c_str());
    EXPECT_TRUE(log.data == payload);
    EXPECT_EQ(log.calls, (std::vector<std::string>{"CM", "DR", "CL"}));
}

TEST_F(Families, UnixServerReplacesAStaleSocketFile) {
    std::string path = socket_path();
    {
        Socket stale(AF_UNIX);
        stale.bind(Address::unix_path(path));  // closed without unlinking, as after a crash
    }
    Log log;
    run_bounded(unix_echo(log, "again", path));
    ::unlink(path.c_str());
    EXPECT_EQ(log.data, "again");
}

}  // namespace
}  // namespace tulip::transport_test
