// net: getaddrinfo and create_connection, resolving names on this machine only.
#include <gtest/gtest.h>
#include <netdb.h>

#include <algorithm>

#include "support/fds.hpp"
#include "tulip/net.hpp"

namespace tulip {
namespace {

TEST(Getaddrinfo, ResolvesLocalhostAndServiceNames) {
    auto entries = getaddrinfo("localhost", "http", AF_INET, SOCK_STREAM);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries[0].family, AF_INET);
    EXPECT_EQ(entries[0].type, SOCK_STREAM);
    EXPECT_EQ(entries[0].address.to_string(), "127.0.0.1:80");
}

TEST(Getaddrinfo, PassiveEmptyHostIsTheWildcard) {
    auto entries = getaddrinfo("", "8080", AF_INET, SOCK_STREAM, 0, AI_PASSIVE);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries[0].address.to_string(), "0.0.0.0:8080");
}

TEST(Getaddrinfo, CanonnameIsFilledWhenAskedFor) {
    auto entries = getaddrinfo("127.0.0.1", "1", AF_INET, SOCK_STREAM, 0, AI_CANONNAME);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries[0].canonname, "127.0.0.1");
}

TEST(Getaddrinfo, UnknownNameIsAGaiError) {
    try {
        getaddrinfo("no-such-host.invalid", "80");
        ADD_FAILURE() << "resolved a name that cannot exist";
    } catch (const GaiError& e) {
        EXPECT_LT(e.errno_value(), 0);  // EAI_* codes are negative, as in Python
        EXPECT_NE(std::string(e.what()).find("no-such-host.invalid"), std::string::npos);
    }
    EXPECT_THROW(getaddrinfo("127.0.0.1", "no-such-service-name"), OSError);
}

TEST(CreateConnection, ConnectsByNameAndPort) {
    int before = testing::count_open_fds();
    {
        Socket server(AF_INET);
        server.bind(Address::ipv4("127.0.0.1", 0));
        server.listen();
        // "localhost" may resolve to ::1 first; create_connection goes on to 127.0.0.1.
        Socket client = create_connection("localhost", server.getsockname().port(), 2.0);
        EXPECT_EQ(client.gettimeout(), 2.0);
        auto [conn, peer] = server.accept();
        client.sendall("hi");
        EXPECT_EQ(conn.recv(8), "hi");
    }
    EXPECT_EQ(testing::count_open_fds(), before);
}

TEST(CreateConnection, RaisesTheLastErrorWhenNothingAnswers) {
    std::uint16_t port;
    {
        Socket probe(AF_INET);
        probe.bind(Address::ipv4("127.0.0.1", 0));
        port = probe.getsockname().port();
    }
    EXPECT_THROW(create_connection("127.0.0.1", port), ConnectionRefusedError);
}

TEST(CreateConnection, BindsTheSourceAddress) {
    Socket server(AF_INET);
    server.bind(Address::ipv4("127.0.0.1", 0));
    server.listen();
    Socket client = create_connection("127.0.0.1", server.getsockname().port(), std::nullopt,
                                      Address::ipv4("127.0.0.2", 0));
    EXPECT_EQ(client.getsockname().host(), "127.0.0.2");
}

}  // namespace
}  // namespace tulip
