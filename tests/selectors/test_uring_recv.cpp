// UringSelector's completion reads at the selector level: many sockets' small
// reads share the provided-buffer ring (incremental consumption, kernel 6.12+),
// and every byte arrives intact, in order, per socket, while the ring wraps.
#include <sys/utsname.h>

#include <cstdio>
#include <map>
#include <string>

#include "selectors/selector_test.hpp"

namespace tulip::testing {
namespace {

class UringRecv : public NoLeakTest {
protected:
    void SetUp() override {
        NoLeakTest::SetUp();
        if (!UringSelector::available()) GTEST_SKIP() << "io_uring is unavailable here";
    }
};

bool kernel_at_least(int major, int minor) {
    utsname u{};
    int ma = 0, mi = 0;
    return ::uname(&u) == 0 && std::sscanf(u.release, "%d.%d", &ma, &mi) == 2 &&
           (ma > major || (ma == major && mi >= minor));
}

void send_all(int fd, const std::string& data) {
    ASSERT_EQ(::send(fd, data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));
}

// Collects what select() hands out, per fd, recycling each buffer as the loop does.
std::size_t collect(UringSelector& s, std::map<int, std::string>& got) {
    s.select(0);
    std::size_t reads = 0;
    for (const UringSelector::Received& r : s.received()) {
        EXPECT_GE(r.res, 0) << "fd " << r.fd;
        if (r.res > 0) {
            got[r.fd].append(r.data, static_cast<std::size_t>(r.res));
            ++reads;
        }
        s.recycle(r);
    }
    return reads;
}

// `n` socket pairs whose first ends `s` reads by completion, submitted.
std::vector<std::unique_ptr<Pair>> reading_pairs(UringSelector& s, int n) {
    static int owner = 0;
    std::vector<std::unique_ptr<Pair>> pairs(static_cast<std::size_t>(n));
    for (auto& p : pairs) {
        p = std::make_unique<Pair>();
        s.start_recv(p->a, &owner);
    }
    s.select(0);  // submits the reads; nothing has arrived yet
    return pairs;
}

// 200 sockets with 16 bytes each: one select() reads them all. Without
// incremental consumption each read takes a whole buffer, the 64 buffers run out
// and the rest wait (ENOBUFS, re-armed) for later polls.
TEST_F(UringRecv, SmallReadsShareTheBufferRing) {
    if (!kernel_at_least(6, 12)) GTEST_SKIP() << "incremental buffer consumption needs Linux 6.12";
    constexpr int pairs_wanted = 200;
    if (raise_fd_limit() < 2 * pairs_wanted + 100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
    UringSelector s;
    ASSERT_TRUE(s.can_recv());
    auto pairs = reading_pairs(s, pairs_wanted);
    EXPECT_TRUE(s.received().empty());
    for (auto& p : pairs) send_all(p->b, "sixteen bytes #" + std::to_string(p->a % 10));

    std::map<int, std::string> got;
    EXPECT_EQ(collect(s, got), std::size_t{pairs_wanted});
    for (auto& p : pairs) EXPECT_EQ(got[p->a], "sixteen bytes #" + std::to_string(p->a % 10));
    s.close();
}

// Reads of uneven sizes, several rounds, more bytes in all than the ring holds
// (1 MiB): pieces start where the last one in their buffer ended, a read that
// reaches a buffer's end continues in the next, and recycled buffers are reused
// from their start. Every socket's bytes must come back whole and in order.
TEST_F(UringRecv, EveryByteArrivesInOrderAsTheRingWraps) {
    constexpr int pairs_wanted = 20;
    constexpr int rounds = 14;
    UringSelector s;
    ASSERT_TRUE(s.can_recv());
    auto pairs = reading_pairs(s, pairs_wanted);
    std::map<int, std::string> sent, got;
    std::size_t total = 0;
    for (int round = 0; round < rounds; ++round) {
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            // 1,001 to 7,001 bytes, each byte naming its socket, round and place.
            std::string chunk(1001 + (i * 317 + static_cast<std::size_t>(round) * 1000) % 6001, '\0');
            for (std::size_t k = 0; k < chunk.size(); ++k)
                chunk[k] = static_cast<char>('a' + (i + static_cast<std::size_t>(round) + k) % 26);
            send_all(pairs[i]->b, chunk);
            sent[pairs[i]->a] += chunk;
            total += chunk.size();
        }
        for (int tries = 0; tries < 100 && got != sent; ++tries) collect(s, got);
        ASSERT_EQ(got, sent) << "round " << round;
    }
    EXPECT_GT(total, std::size_t{1} << 20);
    s.close();
}

}  // namespace
}  // namespace tulip::testing
