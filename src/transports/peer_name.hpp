// transports/peer_name: a stream transport's peer address, read once when the
// transport is made, as asyncio's transports keep extra['peername'], so that
// get_extra_info("peername") still answers after the peer reset the connection
// (getpeername then fails with ENOTCONN): that is when an error message wants it.
// An IPv4 address is kept inline (8 bytes with its port), an IPv6 one in a block
// of its own: there is one per connection, and most peers are IPv4. Other
// families (AF_UNIX peers are mostly unnamed) are asked again at each call.
#pragma once

#include <netinet/in.h>

#include <any>

#include "tulip/net/socket.hpp"

namespace tulip {

class PeerName {
public:
    PeerName() noexcept {}
    ~PeerName();
    PeerName(const PeerName&) = delete;
    PeerName& operator=(const PeerName&) = delete;

    // getpeername() now; nothing is kept if it fails, the family is not IP, or
    // an IPv6 address finds no memory (then it is asked again, as other families).
    void remember(const Socket& sock) noexcept;
    // An Address, or an empty std::any (Python's None) if there is none.
    std::any get(const Socket& sock) const;

private:
    struct V4 {
        in_addr_t addr;  // network byte order, as in sockaddr_in
        in_port_t port;
    };
    union {
        V4 v4_;
        sockaddr_in6* v6_;
    };
    sa_family_t family_ = AF_UNSPEC;  // AF_INET: v4_; AF_INET6: v6_; else nothing kept
};

}  // namespace tulip
