// What only UringSelector does: edge triggering by multishot poll, releasing a
// removed fd's file at once, draining a CQ overflow, and refusing when io_uring
// cannot be set up.
#include "selectors/selector_test.hpp"

namespace tulip::testing {
namespace {

class Uring : public NoLeakTest {
protected:
    void SetUp() override {
        NoLeakTest::SetUp();
        if (!UringSelector::available()) GTEST_SKIP() << "io_uring is unavailable here";
    }
};

TEST_F(Uring, EdgeTriggerReportsOncePerNewData) { check_edge_reports_once_per_new_data<UringSelector>(); }

TEST_F(Uring, EdgeTriggerSurvivesModify) {
    UringSelector s;
    Pair p;
    int data = 0;
    check_edge_survives_modify(s, p, &data);
    send_byte(p.b);
    const std::vector<Ready>& ready = s.select(0);
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].key.data, &data);
    EXPECT_NE(ready[0].events & EVENT_READ, 0u);
}

// A poll request holds its file: remove() must let go of it before returning, so
// that closing the fd right after really closes the socket (the peer sees EOF).
TEST_F(Uring, RemoveReleasesTheFileAtOnce) {
    for (Trigger trigger : {Trigger::level, Trigger::edge}) {
        UringSelector s;
        Pair p;
        s.add(p.a, EVENT_READ, nullptr, trigger);
        EXPECT_TRUE(s.select(0).empty());  // the poll is armed, waiting
        s.remove(p.a);
        p.close_a();
        char c;
        EXPECT_EQ(::read(p.b, &c, 1), 0) << "the peer did not see EOF";
    }
}

// More completions than the CQ holds (4096): the kernel keeps the rest
// (IORING_FEAT_NODROP) and select() fetches them too, in the same call.
TEST_F(Uring, CompletionQueueOverflowLosesNoEvent) {
    constexpr int pairs_wanted = 2'500;  // 5,000 writable fds
    if (raise_fd_limit() < 2 * pairs_wanted + 100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
    UringSelector s;
    std::vector<std::unique_ptr<Pair>> pairs(pairs_wanted);
    for (auto& p : pairs) {
        p = std::make_unique<Pair>();
        s.add(p->a, EVENT_WRITE);
        s.add(p->b, EVENT_WRITE, nullptr, Trigger::edge);
    }
    EXPECT_EQ(s.select(0).size(), 2u * pairs_wanted);
    EXPECT_EQ(s.select(0).size(), 1u * pairs_wanted);  // the level half, again
}

TEST_F(Uring, FailedSetupRaisesOSError) {
    fault::Scope scope;
    fault::inject({.call = fault::Call::io_uring_setup, .error = EPERM});
    EXPECT_THROW(UringSelector(), OSError);
    UringSelector ok;  // one fault only
    EXPECT_GE(ok.fileno(), 0);
    ok.close();
    EXPECT_EQ(ok.fileno(), -1);
}

}  // namespace
}  // namespace tulip::testing
