// Test support: whether this machine has an IPv6 loopback (a container may
// not), so IPv6 tests can skip rather than fail.
#pragma once

namespace tulip::testing {

bool ipv6_loopback_available();  // a socket can bind ::1

}  // namespace tulip::testing
