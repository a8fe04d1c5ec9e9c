#include "tulip/net/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "tulip/errors.hpp"

namespace tulip {

namespace {

std::uint16_t parse_port(std::string_view text, std::string_view whole) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535) {
        throw ValueError(fmt::format("invalid port '{}' in address '{}' (want 0-65535)", text, whole));
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

Address Address::ipv4(std::string_view host, std::uint16_t port) {
    Address a;
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage_);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::string h(host.empty() ? "0.0.0.0" : host);
    if (::inet_pton(AF_INET, h.c_str(), &sin->sin_addr) != 1) {
        throw ValueError(fmt::format("'{}' is not an IPv4 address", host));
    }
    a.size_ = sizeof(sockaddr_in);
    return a;
}

Address Address::ipv6(std::string_view host, std::uint16_t port, std::uint32_t scope_id) {
    Address a;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::string h(host.empty() ? "::" : host);
    if (auto pct = h.find('%'); pct != std::string::npos) {  // "fe80::1%lo"
        std::string zone = h.substr(pct + 1);
        h.resize(pct);
        scope_id = ::if_nametoindex(zone.c_str());
        if (scope_id == 0) throw ValueError(fmt::format("unknown interface '{}' in '{}'", zone, host));
    }
    if (::inet_pton(AF_INET6, h.c_str(), &sin6->sin6_addr) != 1) {
        throw ValueError(fmt::format("'{}' is not an IPv6 address", host));
    }
    sin6->sin6_scope_id = scope_id;
    a.size_ = sizeof(sockaddr_in6);
    return a;
}

Address Address::ip(std::string_view host, std::uint16_t port) {
    return host.find(':') != std::string_view::npos ? ipv6(host, port) : ipv4(host, port);
}

Address Address::unix_path(std::string_view path) {
    Address a;
    auto* sun = reinterpret_cast<sockaddr_un*>(&a.storage_);
    if (path.empty()) throw ValueError("empty Unix socket path");
    if (path.size() >= sizeof(sun->sun_path)) {
        throw ValueError(fmt::format("Unix socket path too long ({} bytes, at most {})", path.size(),
                                     sizeof(sun->sun_path) - 1));
    }
    sun->sun_family = AF_UNIX;
    std::memcpy(sun->sun_path, path.data(), path.size());
    // An abstract name (leading '\0') is exactly as long as given; a path ends at its NUL.
    a.size_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                     (path[0] == '\0' ? 0 : 1));
    return a;
}

Address Address::parse(std::string_view text) {
    if (text.empty()) throw ValueError("empty address (want host:port, [v6]:port or port)");
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw ValueError(fmt::format("invalid address '{}' (want [v6]:port)", text));
        }
        return ipv6(text.substr(1, close - 1), parse_port(text.substr(close + 2), text));
    }
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return ipv4("127.0.0.1", parse_port(text, text));
    if (text.find(':') != colon) {
        throw ValueError(fmt::format("invalid address '{}' (an IPv6 host needs brackets: [v6]:port)", text));
    }
    std::string_view host = text.substr(0, colon);
    std::uint16_t port = parse_port(text.substr(colon + 1), text);
    if (host == "localhost") host = "127.0.0.1";
    try {
        return ipv4(host, port);
    } catch (const ValueError&) {
        throw ValueError(fmt::format("invalid host '{}' in address '{}' (want a numeric IPv4 or [IPv6] "
                                     "address; resolve names with getaddrinfo)", host, text));
    }
}

Address Address::from_sockaddr(const sockaddr* sa, socklen_t len) {
    Address a;
    if (len > sizeof(a.storage_)) len = sizeof(a.storage_);
    std::memcpy(&a.storage_, sa, len);
    a.size_ = len;
    return a;
}

std::string Address::host() const {
    char buf[INET6_ADDRSTRLEN] = {};
    switch (family()) {
        case AF_INET:
            ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof buf);
            return buf;
        case AF_INET6:
            ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf, sizeof buf);
            return buf;
        case AF_UNIX: {
            const auto* sun = reinterpret_cast<const sockaddr_un*>(&storage_);
            std::size_t n = size_ > offsetof(sockaddr_un, sun_path) ? size_ - offsetof(sockaddr_un, sun_path) : 0;
            if (n > 0 && sun->sun_path[0] != '\0') n = ::strnlen(sun->sun_path, n);
            return std::string(sun->sun_path, n);
        }
        default:
            return {};
    }
}

std::uint16_t Address::port() const {
    switch (family()) {
        case AF_INET:
            return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
        case AF_INET6:
            return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
        default:
            return 0;
    }
}

std::string Address::to_string() const {
    switch (family()) {
        case AF_INET:
            return fmt::format("{}:{}", host(), port());
        case AF_INET6:
            return fmt::format("[{}]:{}", host(), port());
        case AF_UNIX: {
            std::string h = host();
            if (!h.empty() && h[0] == '\0') h[0] = '@';  // abstract names print like ss(8) does
            return h;
        }
        default:
            return "<no address>";
    }
}

bool operator==(const Address& a, const Address& b) noexcept {
    return a.size_ == b.size_ && std::memcmp(&a.storage_, &b.storage_, a.size_) == 0;
}

}  // namespace tulip
