// sys: the fault injector itself — rules fire where they say, repeat with a seed,
// and leave no trace after their scope.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "sys/fault.hpp"
#include "sys/syscalls.hpp"

namespace tulip::sys {
namespace {

struct Pair {
    int fds[2] = {-1, -1};
    Pair() { EXPECT_EQ(sys::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0); }
    ~Pair() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
};

TEST(Fault, FailsTheChosenCallWithTheChosenErrno) {
    fault::Scope scope;
    fault::inject({.call = fault::Call::socket, .error = EMFILE, .skip = 1});
    int first = sys::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(first, 0);
    EXPECT_EQ(sys::socket(AF_INET, SOCK_STREAM, 0), -EMFILE);
    int third = sys::socket(AF_INET, SOCK_STREAM, 0);  // times = 1: only one fault
    EXPECT_GE(third, 0);
    EXPECT_EQ(fault::calls(fault::Call::socket), 3u);
    EXPECT_EQ(fault::faults(), 1u);
    ::close(first);
    ::close(third);
}

TEST(Fault, ShortCountIsARealPartialWrite) {
    Pair p;
    fault::Scope scope;
    fault::inject({.call = fault::Call::send, .max_bytes = 3, .times = 0});
    EXPECT_EQ(sys::send(p.fds[0], "abcdefgh", 8, 0), 3);
    char buf[16];
    EXPECT_EQ(sys::recv(p.fds[1], buf, sizeof buf, 0), 3);
    EXPECT_EQ(std::string(buf, 3), "abc");
}

TEST(Fault, InjectedEintrIsRetriedInvisibly) {
    Pair p;
    fault::Scope scope;
    fault::inject({.call = fault::Call::recv, .error = EINTR, .times = 5});
    ASSERT_EQ(sys::send(p.fds[0], "x", 1, 0), 1);
    char c = 0;
    EXPECT_EQ(sys::recv(p.fds[1], &c, 1, 0), 1);
    EXPECT_EQ(c, 'x');
    EXPECT_EQ(fault::faults(), 5u);
    EXPECT_EQ(fault::calls(fault::Call::recv), 6u);
}

std::vector<bool> pattern(std::uint64_t seed) {
    Pair p;
    fault::Scope scope(seed);
    fault::inject({.call = fault::Call::send, .error = EAGAIN, .times = 0, .probability = 0.5});
    std::vector<bool> failed;
    for (int i = 0; i < 64; ++i) failed.push_back(sys::send(p.fds[0], "y", 1, 0) == -EAGAIN);
    return failed;
}

TEST(Fault, RandomRulesRepeatWithTheSameSeed) {
    auto a = pattern(42), b = pattern(42), c = pattern(43);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    auto hits = std::count(a.begin(), a.end(), true);
    EXPECT_GT(hits, 10);  // p = 0.5 over 64 calls
    EXPECT_LT(hits, 54);
}

TEST(Fault, ScopeEndRemovesEveryRule) {
    {
        fault::Scope scope;
        fault::inject({.call = fault::Call::socket, .error = ENFILE, .times = 0});
        EXPECT_EQ(sys::socket(AF_INET, SOCK_STREAM, 0), -ENFILE);
    }
    int fd = sys::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    ::close(fd);
    EXPECT_EQ(fault::faults(), 0u);
}

}  // namespace
}  // namespace tulip::sys
