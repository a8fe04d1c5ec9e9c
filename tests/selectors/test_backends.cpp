// What only one backend does: select()'s FD_SETSIZE limit, epoll's edge trigger,
// its fd and its failure paths, and DefaultSelector's choice.
#include "selectors/selector_test.hpp"

namespace tulip::testing {
namespace {

using Backends = NoLeakTest;

TEST_F(Backends, SelectRefusesFdsAboveFdSetSize) {
    if (raise_fd_limit() <= 1100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
    Pair p;
    Fd dup(::fcntl(p.a, F_DUPFD_CLOEXEC, 1024));
    const int high = dup.fd;
    ASSERT_GE(high, 1024);
    SelectSelector s;
    try {
        s.add(high, EVENT_READ);
        ADD_FAILURE() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("FD_SETSIZE"), std::string::npos) << e.what();
    }
    EXPECT_EQ(s.size(), 0u);
    EXPECT_THROW(s.get_key(high), KeyError);
    PollSelector poll;
    EpollSelector epoll;
    send_byte(p.b);
    poll.add(high, EVENT_READ);
    epoll.add(high, EVENT_READ);
    EXPECT_EQ(ready_for(poll.select(0), high), EVENT_READ);
    EXPECT_EQ(ready_for(epoll.select(0), high), EVENT_READ);
}

TEST_F(Backends, EpollEdgeTriggerReportsOncePerNewData) { check_edge_reports_once_per_new_data<EpollSelector>(); }

TEST_F(Backends, EpollEdgeTriggerSurvivesModify) {
    EpollSelector s;
    Pair p;
    int data = 0;
    check_edge_survives_modify(s, p, &data);
}

TEST_F(Backends, EpollAddTakesASocketAndATrigger) {
    EpollSelector s;
    auto [a, b] = Socket::pair();
    s.add(a, EVENT_READ, nullptr, Trigger::edge);
    b.sendall("x");
    EXPECT_EQ(s.select(0).size(), 1u);
    EXPECT_TRUE(s.select(0).empty());
}

TEST_F(Backends, EpollFileno) {
    EpollSelector s;
    EXPECT_GE(s.fileno(), 0);
    s.close();
    EXPECT_EQ(s.fileno(), -1);
}

TEST_F(Backends, EpollRefusedAddLeavesNoKey) {
    EpollSelector s;
    Pair p;
    fault::Scope scope;
    fault::inject({.call = fault::Call::epoll_ctl, .error = ENOMEM});
    EXPECT_THROW(s.add(p.a, EVENT_READ), OSError);
    EXPECT_EQ(s.size(), 0u);
    s.add(p.a, EVENT_READ);
}

TEST_F(Backends, EpollRefusedModifyDropsTheKey) {
    EpollSelector s;
    Pair p;
    s.add(p.a, EVENT_READ);
    fault::Scope scope;
    fault::inject({.call = fault::Call::epoll_ctl, .error = ENOMEM});
    EXPECT_THROW(s.modify(p.a, EVENT_WRITE), OSError);  // as Python: the key is gone
    EXPECT_THROW(s.get_key(p.a), KeyError);
    EXPECT_EQ(s.size(), 0u);
}

TEST_F(Backends, EpollModifyOfClosedFdRaises) {
    EpollSelector s;
    Pair p;
    const int fd = p.a;
    s.add(fd, EVENT_READ);
    p.close_a();
    EXPECT_THROW(s.modify(fd, EVENT_WRITE), OSError);
    EXPECT_EQ(s.size(), 0u);
}

TEST_F(Backends, DefaultSelectorIsEpoll) {
    std::unique_ptr<Selector> s = DefaultSelector();
    EXPECT_NE(dynamic_cast<EpollSelector*>(s.get()), nullptr);
}

}  // namespace
}  // namespace tulip::testing
