// net/address: a socket address (IPv4, IPv6 or Unix), Python's address tuple as a value.
// Prints as "127.0.0.1:8000", "[::1]:8000" or the Unix path; parses the same forms
// (and a bare port, meaning 127.0.0.1) with a ValueError that says what was wrong.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tulip {

class Address {
public:
    Address() = default;  // family AF_UNSPEC: "no address"

    // Numeric hosts only ("127.0.0.1", "::1", "fe80::1%lo"); names go through getaddrinfo.
    static Address ipv4(std::string_view host, std::uint16_t port);
    static Address ipv6(std::string_view host, std::uint16_t port, std::uint32_t scope_id = 0);
    // Either family, chosen by the form of `host` ("" means 0.0.0.0).
    static Address ip(std::string_view host, std::uint16_t port);
    // A filesystem path, or an abstract name when `path` starts with '\0'.
    static Address unix_path(std::string_view path);
    // "host:port", "[v6]:port" or "port" (host 127.0.0.1). Throws ValueError.
    static Address parse(std::string_view text);
    // Copies what the kernel filled in (accept, getsockname, recvfrom).
    static Address from_sockaddr(const sockaddr* sa, socklen_t len);

    int family() const noexcept { return storage_.ss_family; }
    std::string host() const;          // "127.0.0.1", "::1"; the path for Unix
    std::uint16_t port() const;        // 0 for Unix
    std::string to_string() const;     // "127.0.0.1:8000", "[::1]:8000", "/tmp/s", "@abstract"

    const sockaddr* sockaddr_ptr() const noexcept {
        return reinterpret_cast<const sockaddr*>(&storage_);
    }
    sockaddr* sockaddr_ptr() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
    socklen_t size() const noexcept { return size_; }

    friend bool operator==(const Address& a, const Address& b) noexcept;

private:
    sockaddr_storage storage_{};
    socklen_t size_ = 0;
};

}  // namespace tulip
