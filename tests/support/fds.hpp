// Test support: counting open descriptors, for libuv's clean-close assertion
// (every test ends with no descriptor left open that it opened).
#pragma once

namespace tulip::testing {

int count_open_fds();  // entries in /proc/self/fd, not counting the one used to list it

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
long raise_fd_limit();

}  // namespace tulip::testing
