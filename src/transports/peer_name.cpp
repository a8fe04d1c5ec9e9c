#include "transports/peer_name.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

void PeerName::remember(const Socket& sock) noexcept {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (sys::getpeername(sock.fileno(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) return;
    std::memcpy(&addr_, &ss, std::min<std::size_t>(len, sizeof addr_));
}

std::any PeerName::get(const Socket& sock) const {
    const auto* sa = reinterpret_cast<const sockaddr*>(&addr_);
    if (addr_.sin6_family == AF_INET) return Address::from_sockaddr(sa, sizeof(sockaddr_in));
    if (addr_.sin6_family == AF_INET6) return Address::from_sockaddr(sa, sizeof addr_);
    try {
        return sock.getpeername();
    } catch (const OSError&) {
        return {};  // closed, or the peer is gone: Python gives None too
    }
}

}  // namespace tulip
