#include "transports/peer_name.hpp"

#include <sys/socket.h>

#include <cstring>
#include <new>

#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

PeerName::~PeerName() {
    if (family_ == AF_INET6) delete v6_;
}

void PeerName::remember(const Socket& sock) noexcept {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (sys::getpeername(sock.fileno(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
    if (ss.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
        v4_ = V4{in.sin_addr.s_addr, in.sin_port};
        family_ = AF_INET;
    } else if (ss.ss_family == AF_INET6) {
        auto* in6 = new (std::nothrow) sockaddr_in6;
        if (in6 == nullptr) return;
        std::memcpy(in6, &ss, sizeof *in6);
        v6_ = in6;
        family_ = AF_INET6;
    }
}

std::any PeerName::get(const Socket& sock) const {
    if (family_ == AF_INET) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = v4_.addr;
        in.sin_port = v4_.port;
        return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof in);
    }
    if (family_ == AF_INET6) return Address::from_sockaddr(reinterpret_cast<const sockaddr*>(v6_), sizeof *v6_);
    try {
        return sock.getpeername();
    } catch (const OSError&) {
        return {};  // closed, or the peer is gone: Python gives None too
    }
}

}  // namespace tulip
