// net/getaddrinfo: name resolution and Python's socket.create_connection.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tulip/net/address.hpp"
#include "tulip/net/socket.hpp"

namespace tulip {

// One entry of getaddrinfo's answer: Python's (family, type, proto, canonname, sockaddr).
struct AddrInfo {
    int family = 0;
    int type = 0;
    int proto = 0;
    std::string canonname;
    Address address;
};

// Blocking resolution, as socket.getaddrinfo. An empty host means the wildcard
// (with AI_PASSIVE) or loopback; `port` may be a number or a service name.
// Throws GaiError (a kind of OSError) when the name does not resolve.
std::vector<AddrInfo> getaddrinfo(std::string_view host, std::string_view port, int family = 0,
                                  int type = 0, int proto = 0, int flags = 0);

// socket.create_connection: tries every address `host` resolves to, in order, and
// returns the first socket that connects; if none does, rethrows the last error.
// `timeout` becomes the socket's timeout; `source` is bound before connecting.
Socket create_connection(std::string_view host, std::uint16_t port,
                         std::optional<double> timeout = std::nullopt,
                         const std::optional<Address>& source = std::nullopt);

}  // namespace tulip
