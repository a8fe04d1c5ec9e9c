#include "support/ipv6.hpp"

#include <sys/socket.h>

#include "tulip/errors.hpp"
#include "tulip/net.hpp"

namespace tulip::testing {

bool ipv6_loopback_available() {
    try {
        Socket probe(AF_INET6, SOCK_STREAM);
        probe.bind(Address::ipv6("::1", 0));
        return true;
    } catch (const OSError&) {
        return false;
    }
}

}  // namespace tulip::testing
