// UringSelector's completion accepts at the selector level: one multishot accept
// hands out every connection, and an fd the kernel accepted for an op nobody
// wants any more (detached, or the selector closing) is closed, not leaked.
// "Accepted but not yet harvested" is made on purpose: the test runs the ring's
// deferred work (io_uring_enter with GETEVENTS) without reading the completions.
#include <netinet/in.h>
#include <sys/syscall.h>

#include <linux/io_uring.h>

#include <vector>

#include "selectors/selector_test.hpp"

namespace tulip::testing {
namespace {

class UringAccept : public NoLeakTest {
protected:
    void SetUp() override {
        NoLeakTest::SetUp();
        if (!UringSelector::available() || !UringSelector::can_accept())
            GTEST_SKIP() << "no multishot accept here";
    }
};

// A listening TCP socket on a free loopback port, and clients connected to it.
struct Listener {
    Fd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    sockaddr_in addr{};
    std::vector<int> clients;
    Listener() {
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(fd.fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd.fd, 64) != 0 ||
            ::getsockname(fd.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw OSError(errno, "listen");
    }
    ~Listener() {
        for (int c : clients) ::close(c);
    }
    void connect(int n) {
        for (int i = 0; i < n; ++i) {
            int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
            clients.push_back(c);
        }
    }
};

// Lets the kernel accept (the ring's deferred work runs) without reading the CQ.
void run_deferred_work(UringSelector& s) {
    ASSERT_GE(::syscall(__NR_io_uring_enter, s.fileno(), 0, 0, IORING_ENTER_GETEVENTS, nullptr, 0), 0);
}

int owner_tag = 0;

TEST_F(UringAccept, OneOpAcceptsEveryConnection) {
    UringSelector s;
    Listener l;
    std::uint64_t op = s.start_accept(l.fd.fd, &owner_tag);
    s.select(0);  // submits it
    l.connect(5);
    std::vector<int> got;
    for (int round = 0; round < 100 && got.size() < 5; ++round) {
        s.select(0.01);
        for (const UringSelector::Accepted& a : s.accepted()) {
            EXPECT_EQ(a.op, op);
            EXPECT_EQ(a.fd, l.fd.fd);
            EXPECT_FALSE(a.last);
            ASSERT_GE(a.res, 0);
            EXPECT_TRUE(::fcntl(a.res, F_GETFL) & O_NONBLOCK);
            EXPECT_TRUE(::fcntl(a.res, F_GETFD) & FD_CLOEXEC);
            got.push_back(a.res);
        }
    }
    EXPECT_EQ(got.size(), 5u);
    EXPECT_EQ(s.op_owner(op), &owner_tag);
    s.stop_op(op, false);  // a stop that reports: one ECANCELED `last`
    bool ended = false;
    for (int round = 0; round < 100 && !ended; ++round) {
        s.select(0.01);
        for (const UringSelector::Accepted& a : s.accepted()) {
            EXPECT_EQ(a.res, -ECANCELED);
            ended = a.last;
        }
    }
    EXPECT_TRUE(ended);
    for (int fd : got) ::close(fd);
}

TEST_F(UringAccept, DetachedOpClosesWhatTheKernelAccepted) {
    UringSelector s;
    Listener l;
    std::uint64_t op = s.start_accept(l.fd.fd, &owner_tag);
    s.select(0);
    const int before = count_open_fds();
    l.connect(3);
    run_deferred_work(s);
    EXPECT_EQ(count_open_fds(), before + 6) << "the kernel has not accepted (3 clients, 3 accepted)";
    s.stop_op(op, true);
    EXPECT_EQ(s.op_owner(op), nullptr);
    for (int round = 0; round < 3; ++round) {
        s.select(0);
        EXPECT_TRUE(s.accepted().empty());
    }
    EXPECT_EQ(count_open_fds(), before + 3) << "fds accepted for a detached op leaked";
}

TEST_F(UringAccept, CloseClosesWhatTheKernelAccepted) {
    Listener l;
    {
        UringSelector s;
        s.start_accept(l.fd.fd, &owner_tag);
        s.select(0);
        l.connect(3);
        run_deferred_work(s);
        s.close();
    }
    // The fixture counts descriptors: the three accepted ones must be gone.
}

}  // namespace
}  // namespace tulip::testing
