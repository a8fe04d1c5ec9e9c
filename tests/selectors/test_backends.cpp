// What only one backend does: select()'s FD_SETSIZE limit, epoll's edge trigger,
// its fd and its failure paths, and DefaultSelector's choice.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

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

// One select() reports at most 1,024 descriptors (the buffer does not grow with
// the connections); the kernel keeps the rest, edge- or level-triggered, and the
// next selects report them: every edge once, every level registration again.
TEST_F(Backends, EpollReportsManyReadyFdsOverSeveralSelectsLosingNone) {
    constexpr int pairs_wanted = 1'500;  // 3,000 writable fds
    if (raise_fd_limit() < 2 * pairs_wanted + 100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
    EpollSelector s;
    std::vector<std::unique_ptr<Pair>> pairs(pairs_wanted);
    std::set<int> edge_fds;
    for (auto& p : pairs) {
        p = std::make_unique<Pair>();
        s.add(p->a, EVENT_WRITE, nullptr, Trigger::edge);
        s.add(p->b, EVENT_WRITE);
        edge_fds.insert(p->a);
    }
    std::map<int, int> edge_reports, level_reports;
    std::size_t largest = 0;
    for (int round = 0; round < 8; ++round) {
        const std::vector<Ready>& ready = s.select(0);
        largest = std::max(largest, ready.size());
        for (const Ready& r : ready) ++(edge_fds.count(r.key.fd) ? edge_reports : level_reports)[r.key.fd];
    }
    EXPECT_LE(largest, 1024u);
    ASSERT_EQ(edge_reports.size(), edge_fds.size());
    for (auto [fd, n] : edge_reports) EXPECT_EQ(n, 1) << "fd " << fd;
    EXPECT_EQ(level_reports.size(), static_cast<std::size_t>(pairs_wanted));
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
