// sys/fault: test-only fault injection for the syscall wrappers in sys/syscalls.hpp.
// A test installs rules; each wrapped call asks `check` before doing the real work
// and may fail with a chosen errno or have its byte count capped (a short read or
// write done for real). Off by default: then `check` is one relaxed atomic load.
// Rules are process-wide (any thread) and random choices come from a seeded
// generator, so a failing run can be repeated with the same seed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tulip::sys::fault {

// One tag per wrapped syscall that a rule can target.
enum class Call : std::uint8_t {
    socket, socketpair, bind, listen, accept, connect, shutdown, close,
    recv, recvfrom, send, sendto, sendmsg, read, write, sendfile,
    getsockopt, setsockopt, fcntl,
    poll, select, epoll_create, epoll_ctl, epoll_wait,
    io_uring_setup, io_uring_enter,  // made by selectors/uring_selector.cpp through liburing
    uring_accept,  // an accept the kernel made for io_uring, checked per completion (a fault closes the fd)
    count_  // number of tags; not a call
};

// A rule: let `skip` matching calls through, then fault the following ones,
// each with `probability` (1 = always), until `times` faults were made (0 = no end).
// A fault fails the call with `error` when it is non-zero, else caps the byte
// count of a read or write at `max_bytes` (a short count, done for real).
struct Rule {
    Call call;
    int error = 0;
    std::size_t max_bytes = 0;
    std::uint64_t skip = 0;
    std::uint64_t times = 1;
    double probability = 1.0;
};

// What a wrapped call must do: fail with `error`, or cap its length at `max_bytes`
// (0 = no cap). Both zero: proceed as normal.
struct Decision {
    int error = 0;
    std::size_t max_bytes = 0;
};

void inject(const Rule& rule);  // any thread
void seed(std::uint64_t seed);  // seeds the rules injected after it (each has its own generator)
void clear();                   // removes every rule and resets the counters
std::uint64_t calls(Call call); // calls of this kind seen since the first rule
std::uint64_t faults();         // faults made since the last clear()

Decision check_slow(Call call);

extern bool g_active;  // written only while no wrapped call runs (inject/clear)

// Called by every wrapper before the real syscall.
inline Decision check(Call call) {
    if (__builtin_expect(!__atomic_load_n(&g_active, __ATOMIC_RELAXED), 1)) return {};
    return check_slow(call);
}

// Clears every rule when the scope ends, so one test's faults never leak into the next.
struct Scope {
    Scope() = default;
    explicit Scope(std::uint64_t s) { seed(s); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() { clear(); }
};

}  // namespace tulip::sys::fault
