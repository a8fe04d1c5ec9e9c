// Conformance, part 2: what select() reports and how long it waits, the same for
// every backend (ported from CPython's Lib/test/test_selectors.py, plus tulip's
// blocking negative timeout, EINTR and hang-up rules).
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <random>
#include <thread>

#include "selectors/selector_test.hpp"

namespace tulip::testing {
namespace {

template <class S>
using Select = SelectorTest<S>;
TYPED_TEST_SUITE(Select, AllSelectors, SelectorName);

TYPED_TEST(Select, ReadAndWrite) {
    TypeParam s;
    Pair p;
    int rdata = 1, wdata = 2;
    s.add(p.a, EVENT_READ, &rdata);
    s.add(p.b, EVENT_WRITE, &wdata);
    const std::vector<Ready>& ready = s.select(0);
    ASSERT_EQ(ready.size(), 1u);  // nothing to read yet
    EXPECT_EQ(ready[0].key.fd, p.b);
    EXPECT_EQ(ready[0].key.data, &wdata);
    EXPECT_EQ(ready[0].events, EVENT_WRITE);

    send_byte(p.b);
    const std::vector<Ready>& both = s.select(0);
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(ready_for(both, p.a), EVENT_READ);
    EXPECT_EQ(ready_for(both, p.b), EVENT_WRITE);
    for (const Ready& r : both) {
        if (r.key.fd == p.a) {
            EXPECT_EQ(r.key.data, &rdata);
        }
    }
}

TYPED_TEST(Select, ReportsOnlyRegisteredEvents) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_WRITE);
    send_byte(p.b);
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_READ | EVENT_WRITE);
    s.modify(p.a, EVENT_READ);
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_READ);
}

TYPED_TEST(Select, LevelTriggeredUntilDrained) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    send_byte(p.b);
    EXPECT_EQ(s.select(0).size(), 1u);
    EXPECT_EQ(s.select(0).size(), 1u);
    EXPECT_EQ(drain(p.a), 1u);
    EXPECT_TRUE(s.select(0).empty());
}

TYPED_TEST(Select, ReportsEveryReadyFdAtOnce) {
    TypeParam s;
    std::vector<std::unique_ptr<Pair>> pairs(100);
    for (auto& p : pairs) {
        p = std::make_unique<Pair>();
        s.add(p->a, EVENT_READ);
        send_byte(p->b);
    }
    EXPECT_EQ(s.select(0).size(), pairs.size());
}

TYPED_TEST(Select, TimeoutElapses) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    double took = elapsed([&] { EXPECT_TRUE(s.select(0.1).empty()); });
    EXPECT_GE(took, 0.1);
    EXPECT_LT(took, 2.0);
    took = elapsed([&] { EXPECT_TRUE(s.select_ns(50'000'000).empty()); });
    EXPECT_GE(took, 0.05);
}

TYPED_TEST(Select, ZeroTimeoutPolls) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    double took = elapsed([&] { EXPECT_TRUE(s.select(0).empty()); });
    EXPECT_LT(took, 0.05);
}

TYPED_TEST(Select, EmptySelectorSleeps) {
    TypeParam s;
    double took = elapsed([&] { EXPECT_TRUE(s.select(0.1).empty()); });
    EXPECT_GE(took, 0.1);
}

TYPED_TEST(Select, NegativeTimeoutBlocksUntilReady) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        send_byte(p.b);
    });
    double took = elapsed([&] { EXPECT_EQ(ready_for(s.select(-1), p.a), EVENT_READ); });
    writer.join();
    EXPECT_GE(took, 0.09);
}

TYPED_TEST(Select, InjectedEintrKeepsTheTimeout) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    fault::Scope scope;
    fault::inject({.call = Backend<TypeParam>::wait_call, .error = EINTR});
    double took = elapsed([&] { EXPECT_TRUE(s.select(0.2).empty()); });
    EXPECT_EQ(fault::faults(), 1u);
    EXPECT_GE(took, 0.2);
}

extern "C" void ignore_signal(int) {}

// Installs a no-op SIGALRM handler without SA_RESTART (so the wait really sees
// EINTR) and arms a one-shot timer; restores both when done.
class AlarmIn {
public:
    explicit AlarmIn(double seconds) {
        struct sigaction sa {};
        sa.sa_handler = ignore_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;
        ::sigaction(SIGALRM, &sa, &old_);
        itimerval t{};
        t.it_value.tv_sec = static_cast<time_t>(seconds);
        t.it_value.tv_usec =
            static_cast<suseconds_t>((seconds - static_cast<double>(t.it_value.tv_sec)) * 1e6);
        ::setitimer(ITIMER_REAL, &t, nullptr);
    }
    ~AlarmIn() {
        itimerval off{};
        ::setitimer(ITIMER_REAL, &off, nullptr);
        ::sigaction(SIGALRM, &old_, nullptr);
    }

private:
    struct sigaction old_ {};
};

TYPED_TEST(Select, SignalKeepsTheTimeout) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    AlarmIn alarm(0.1);
    double took = elapsed([&] { EXPECT_TRUE(s.select(0.5).empty()); });
    EXPECT_GE(took, 0.45);
    EXPECT_LT(took, 2.0);
}

TYPED_TEST(Select, HangUpIsReportedToAReader) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    EXPECT_TRUE(s.select(0).empty());
    p.close_b();
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_READ);
    s.modify(p.a, EVENT_READ | EVENT_WRITE);  // a writer learns too
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_READ | EVENT_WRITE);
}

// CPython's test_selector: many socket pairs, one message through each in turn.
TYPED_TEST(Select, ManySocketsEcho) {
    constexpr int count = 12;
    const std::string message = " This is a test.";
    TypeParam s;
    std::vector<std::unique_ptr<Pair>> pairs(count);
    std::vector<int> writers;
    for (auto& p : pairs) {
        p = std::make_unique<Pair>();
        s.add(p->a, EVENT_READ);
        s.add(p->b, EVENT_WRITE);
        writers.push_back(p->b);
    }
    auto reader_of = [&](int writer) {
        for (auto& p : pairs)
            if (p->b == writer) return p->a;
        return -1;
    };
    std::mt19937 random(42);
    int received = 0;
    while (!writers.empty()) {
        std::vector<int> ready_writers;
        for (const Ready& r : s.select())
            if (r.events & EVENT_WRITE) ready_writers.push_back(r.key.fd);
        ASSERT_FALSE(ready_writers.empty()) << "no sockets ready for writing";
        int writer = ready_writers[random() % ready_writers.size()];
        ASSERT_EQ(::write(writer, message.data(), message.size()),
                  static_cast<ssize_t>(message.size()));

        std::vector<int> ready_readers;
        for (const Ready& r : s.select(1.0))
            if (r.events & EVENT_READ) ready_readers.push_back(r.key.fd);
        ASSERT_EQ(ready_readers, std::vector<int>{reader_of(writer)});
        char buf[64];
        ASSERT_EQ(::read(ready_readers[0], buf, sizeof buf), static_cast<ssize_t>(message.size()));
        EXPECT_EQ(std::string(buf, message.size()), message);
        ++received;
        s.remove(writer);
        s.remove(ready_readers[0]);
        writers.erase(std::find(writers.begin(), writers.end(), writer));
    }
    EXPECT_EQ(received, count);
    EXPECT_EQ(s.size(), 0u);
}

TYPED_TEST(Select, TenThousandRegistrations) {
    if (!Backend<TypeParam>::unlimited_fds) GTEST_SKIP() << "select() stops at FD_SETSIZE";
    constexpr int pairs_wanted = 5'001;  // 10,002 registered fds
    if (raise_fd_limit() < 2 * pairs_wanted + 100)
        GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
    TypeParam s;
    std::vector<std::unique_ptr<Pair>> pairs(pairs_wanted);
    for (auto& p : pairs) {
        p = std::make_unique<Pair>();
        s.add(p->a, EVENT_READ);
        s.add(p->b, EVENT_READ);
    }
    EXPECT_EQ(s.size(), 2u * pairs_wanted);
    EXPECT_TRUE(s.select(0).empty());
    const std::vector<int> chosen{0, 2'500, pairs_wanted - 1};
    for (int i : chosen) send_byte(pairs[static_cast<std::size_t>(i)]->b);
    const std::vector<Ready>& ready = s.select(0);
    ASSERT_EQ(ready.size(), chosen.size());
    for (int i : chosen)
        EXPECT_EQ(ready_for(ready, pairs[static_cast<std::size_t>(i)]->a), EVENT_READ);
    for (auto& p : pairs) s.remove(p->a);
    EXPECT_EQ(s.size(), static_cast<std::size_t>(pairs_wanted));
}

// The hard requirement: an fd closed without remove() and its number reused by a
// new socket never receives the old registration's events; add() takes it over.
TYPED_TEST(Select, ReusedFdNeverGetsTheOldRegistrationsEvents) {
    TypeParam s;
    Pair old_pair, new_pair;
    int a = 0, b = 0;
    const int fd = old_pair.a;
    s.add(fd, EVENT_READ, &a);
    old_pair.close_a();                     // closed without remove()
    ASSERT_EQ(::dup2(new_pair.a, fd), fd);  // the number now names another socket
    Fd reused(fd);
    send_byte(new_pair.b);  // which is readable
    for (int i = 0; i < 3; ++i)
        for (const Ready& r : s.select(0.01)) EXPECT_NE(r.key.data, &a) << "stale key reported";
    EXPECT_EQ(s.get_key(fd).data, &a);  // dormant, not forgotten

    SelectorKey key = s.add(fd, EVENT_READ, &b);  // replaces the stale key
    EXPECT_EQ(key.data, &b);
    EXPECT_EQ(s.size(), 1u);
    const std::vector<Ready>& ready = s.select(0);
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].key.data, &b);
    EXPECT_EQ(ready[0].events, EVENT_READ);
    s.remove(fd);
}

// A dup keeps the old file open, so the kernel may still know the old
// registration: its events must not reach the fd's new registration either.
TYPED_TEST(Select, DupOfClosedFdDoesNotLeakIntoNewRegistration) {
    TypeParam s;
    Pair old_pair, new_pair;
    int a = 0, b = 0;
    const int fd = old_pair.a;
    s.add(fd, EVENT_READ, &a);
    Fd keeper(::dup(fd));
    old_pair.close_a();
    ASSERT_EQ(::dup2(new_pair.a, fd), fd);
    Fd reused(fd);
    s.add(fd, EVENT_READ, &b);
    send_byte(old_pair.b);  // the old file is readable through `keeper`
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(s.select(0).empty());
    send_byte(new_pair.b);
    const std::vector<Ready>& ready = s.select(0);
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].key.data, &b);
    s.remove(fd);
}

TYPED_TEST(Select, ClosedFdIsNotReported) {
    TypeParam s;
    Pair p, q;
    s.add(p.a, EVENT_READ);
    s.add(q.a, EVENT_READ);
    const int fd = p.a;
    p.close_a();
    send_byte(q.b);
    const std::vector<Ready>& ready = s.select(0.05);  // select(2) alone would fail with EBADF
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].key.fd, q.a);
    s.remove(fd);
    EXPECT_EQ(s.size(), 1u);
}

}  // namespace
}  // namespace tulip::testing
