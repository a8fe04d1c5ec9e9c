// Shared by the selectors tests: the backends under test, a fixture that checks
// no descriptor leaked (libuv's clean-close assertion), and a socketpair helper.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <type_traits>

#include "support/fds.hpp"
#include "sys/fault.hpp"
#include "tulip/errors.hpp"
#include "tulip/selectors.hpp"

namespace tulip::testing {

namespace fault = sys::fault;

// Per-backend facts the conformance suite needs.
template <class S>
struct Backend;
template <>
struct Backend<SelectSelector> {
    static constexpr fault::Call wait_call = fault::Call::select;
    static constexpr bool unlimited_fds = false;
};
template <>
struct Backend<PollSelector> {
    static constexpr fault::Call wait_call = fault::Call::poll;
    static constexpr bool unlimited_fds = true;
};
template <>
struct Backend<EpollSelector> {
    static constexpr fault::Call wait_call = fault::Call::epoll_wait;
    static constexpr bool unlimited_fds = true;
};

template <>
struct Backend<UringSelector> {
    static constexpr fault::Call wait_call = fault::Call::io_uring_enter;
    static constexpr bool unlimited_fds = true;
};

using AllSelectors = ::testing::Types<SelectSelector, PollSelector, EpollSelector, UringSelector>;

struct SelectorName {
    template <class S>
    static std::string GetName(int) {
        if (std::is_same_v<S, SelectSelector>) return "select";
        if (std::is_same_v<S, PollSelector>) return "poll";
        if (std::is_same_v<S, UringSelector>) return "uring";
        return "epoll";
    }
};

// Every test ends with as many open descriptors as it started with.
class NoLeakTest : public ::testing::Test {
protected:
    void SetUp() override { fds_before_ = count_open_fds(); }
    void TearDown() override {
        EXPECT_EQ(count_open_fds(), fds_before_) << "the test leaked a descriptor";
    }

private:
    int fds_before_ = 0;
};

template <class S>
class SelectorTest : public NoLeakTest {
protected:
    void SetUp() override {
        NoLeakTest::SetUp();
        if (std::is_same_v<S, UringSelector> && !UringSelector::available())
            GTEST_SKIP() << "io_uring is unavailable here";
    }
};

// A connected, non-blocking AF_UNIX stream pair that closes what it still owns.
struct Pair {
    int a = -1, b = -1;
    Pair() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0)
            throw OSError(errno, "socketpair");
        a = fds[0];
        b = fds[1];
    }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;
    ~Pair() {
        close_a();
        close_b();
    }
    void close_a() { close_fd(a); }
    void close_b() { close_fd(b); }
    static void close_fd(int& fd) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

// Closes a descriptor the test made with dup/dup2/fcntl, even when an assertion fails.
struct Fd {
    int fd;
    explicit Fd(int value) : fd(value) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

inline void send_byte(int fd, char c = 'x') {
    ASSERT_EQ(::write(fd, &c, 1), 1);
}

inline std::size_t drain(int fd) {
    char buf[4096];
    std::size_t total = 0;
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) total += static_cast<std::size_t>(n);
    return total;
}

// Seconds spent in `f`.
template <class F>
double elapsed(F&& f) {
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The events select() reported for `fd`, or 0.
inline Events ready_for(const std::vector<Ready>& ready, int fd) {
    for (const Ready& r : ready)
        if (r.key.fd == fd) return r.events;
    return 0;
}

// Edge triggering, for the selectors that offer it (epoll, io_uring): a
// registration is reported once per new data, a level one until it is drained.
template <class S>
void check_edge_reports_once_per_new_data() {
    S s;
    Pair edge, level;
    s.add(edge.a, EVENT_READ, nullptr, Trigger::edge);
    s.add(level.a, EVENT_READ);
    send_byte(edge.b);
    send_byte(level.b);
    EXPECT_EQ(s.select(0).size(), 2u);
    // Nothing was read: the level registration is reported again, the edge one is not.
    const std::vector<Ready>& again = s.select(0);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].key.fd, level.a);
    send_byte(edge.b);  // new data: one more edge
    EXPECT_EQ(ready_for(s.select(0), edge.a), EVENT_READ);
    EXPECT_EQ(ready_for(s.select(0), edge.a), 0u);
    EXPECT_EQ(drain(edge.a), 2u);
    EXPECT_EQ(drain(level.a), 1u);
    EXPECT_TRUE(s.select(0).empty());
}

// The trigger survives modify(): new events, still one report per edge.
template <class S>
void check_edge_survives_modify(S& s, const Pair& p, int* data) {
    s.add(p.a, EVENT_READ, nullptr, Trigger::edge);
    s.modify(p.a, EVENT_READ | EVENT_WRITE, data);
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_WRITE);  // room to write: one edge
    EXPECT_TRUE(s.select(0).empty());
}

}  // namespace tulip::testing
