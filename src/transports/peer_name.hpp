// transports/peer_name: a stream transport's peer address, read once when the
// transport is made, as asyncio's transports keep extra['peername'], so that
// get_extra_info("peername") still answers after the peer reset the connection
// (getpeername then fails with ENOTCONN): that is when an error message wants it.
// IPv4 and IPv6 addresses are kept inline in 28 bytes; other families (AF_UNIX
// peers are mostly unnamed) are asked again at each call.
#pragma once

#include <netinet/in.h>

#include <any>

#include "tulip/net/socket.hpp"

namespace tulip {

class PeerName {
public:
    // getpeername() now; nothing is kept if it fails or the family is not IP.
    void remember(const Socket& sock) noexcept;
    // An Address, or an empty std::any (Python's None) if there is none.
    std::any get(const Socket& sock) const;

private:
    sockaddr_in6 addr_{};  // sin6_family AF_UNSPEC: not kept (sockaddr_in fits too)
};

}  // namespace tulip
