// net: Address parsing and printing, and the errors bad input gets.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "tulip/net.hpp"

namespace tulip {
namespace {

TEST(Address, ParsesAndPrintsIpv4) {
    Address a = Address::parse("127.0.0.1:8000");
    EXPECT_EQ(a.family(), AF_INET);
    EXPECT_EQ(a.host(), "127.0.0.1");
    EXPECT_EQ(a.port(), 8000);
    EXPECT_EQ(a.to_string(), "127.0.0.1:8000");
    EXPECT_EQ(a.size(), sizeof(sockaddr_in));
}

TEST(Address, ParsesAndPrintsIpv6InBrackets) {
    Address a = Address::parse("[::1]:8000");
    EXPECT_EQ(a.family(), AF_INET6);
    EXPECT_EQ(a.host(), "::1");
    EXPECT_EQ(a.port(), 8000);
    EXPECT_EQ(a.to_string(), "[::1]:8000");
}

TEST(Address, BarePortMeansLoopback) {
    EXPECT_EQ(Address::parse("9000").to_string(), "127.0.0.1:9000");
    EXPECT_EQ(Address::parse("localhost:9000").to_string(), "127.0.0.1:9000");
}

TEST(Address, IpChoosesTheFamilyFromTheHost) {
    EXPECT_EQ(Address::ip("::1", 1).family(), AF_INET6);
    EXPECT_EQ(Address::ip("10.0.0.1", 1).family(), AF_INET);
    EXPECT_EQ(Address::ip("", 5).to_string(), "0.0.0.0:5");
}

TEST(Address, UnixPathsAndAbstractNames) {
    Address p = Address::unix_path("/tmp/tulip.sock");
    EXPECT_EQ(p.family(), AF_UNIX);
    EXPECT_EQ(p.to_string(), "/tmp/tulip.sock");
    EXPECT_EQ(p.port(), 0);
    Address abstract = Address::unix_path(std::string_view("\0tulip", 6));
    EXPECT_EQ(abstract.to_string(), "@tulip");
    EXPECT_THROW(Address::unix_path(std::string(200, 'x')), ValueError);
    EXPECT_THROW(Address::unix_path(""), ValueError);
}

TEST(Address, EqualityComparesTheWholeAddress) {
    EXPECT_EQ(Address::parse("127.0.0.1:1"), Address::ipv4("127.0.0.1", 1));
    EXPECT_FALSE(Address::parse("127.0.0.1:1") == Address::parse("127.0.0.1:2"));
}

void expect_value_error(std::string_view text, std::string_view mentions) {
    try {
        Address::parse(text);
        ADD_FAILURE() << "parse(\"" << text << "\") did not throw";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos)
            << "message '" << e.what() << "' should mention '" << mentions << "'";
    }
}

TEST(Address, BadInputGetsAClearValueError) {
    expect_value_error("", "empty");
    expect_value_error("127.0.0.1:", "invalid port");
    expect_value_error("127.0.0.1:65536", "0-65535");
    expect_value_error("127.0.0.1:http", "invalid port");
    expect_value_error("999.1.1.1:80", "invalid host");
    expect_value_error("example.com:80", "getaddrinfo");
    expect_value_error("::1:80", "brackets");
    expect_value_error("[::1]80", "[v6]:port");
    expect_value_error("[::zz]:80", "not an IPv6 address");
}

}  // namespace
}  // namespace tulip
