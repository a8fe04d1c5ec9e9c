// selectors/poll_like (internal): what PollSelector and EpollSelector share, as
// CPython's _PollLikeSelector does: poll(2) and epoll(7) use the same bit values
// for in/out/error/hang-up, so one mapping serves both.
#pragma once

#include <poll.h>
#include <sys/epoll.h>

#include <cstdint>

#include "tulip/selectors/selector.hpp"

namespace tulip::poll_like {

static_assert(POLLIN == EPOLLIN && POLLOUT == EPOLLOUT && POLLERR == EPOLLERR &&
              POLLHUP == EPOLLHUP && POLLPRI == EPOLLPRI && POLLRDHUP == EPOLLRDHUP);

inline std::uint32_t to_bits(Events events) {
    return ((events & EVENT_READ) ? std::uint32_t{POLLIN} : 0u) |
           ((events & EVENT_WRITE) ? std::uint32_t{POLLOUT} : 0u);
}

// Edge-triggered registrations also ask for EPOLLRDHUP, so that a hang-up that
// came with the data is reported with it (Ready::hangup).
inline std::uint32_t to_edge_bits(Events events) { return to_bits(events) | std::uint32_t{EPOLLRDHUP}; }

inline bool hung_up(std::uint32_t bits) { return (bits & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0; }

// Python's rule: anything but "in" (out, error, hang-up, invalid) wakes a writer,
// anything but "out" wakes a reader, so an error reaches whoever waits on the fd.
// A half close (RDHUP) concerns only the reader.
inline Events from_bits(std::uint32_t bits) {
    Events ready = 0;
    if (bits & ~std::uint32_t{POLLIN | EPOLLRDHUP}) ready |= EVENT_WRITE;
    if (bits & ~std::uint32_t{POLLOUT}) ready |= EVENT_READ;
    return ready;
}

}  // namespace tulip::poll_like
