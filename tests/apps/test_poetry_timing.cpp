// Seed 003's point, measured: slow servers (10 chunks, 40 ms apart: ~0.4 s a
// poem). The blocking client fetches three of them one after another; the
// concurrent clients fetch them at once, in about the time of one. The
// non-blocking servers serve three clients at once; the blocking one serves
// them in turn. Only orderings are asserted, never absolute times.
#include "test_poetry_support.hpp"

namespace tulip::testing::poetry {
namespace {

const std::vector<std::string> slow = {"--delay", "0.04", "--num-bytes", "46"};  // hope.txt: 460 bytes

TEST(PoetryTiming, ConcurrentClientsTakeAboutOneDownloadBlockingTakesTheSum) {
    // Three servers of different styles: each gets one connection, so even the
    // blocking one is no bottleneck here.
    PoetryServer a("blocking", "hope.txt", slow), b("loop", "hope.txt", slow), c("protocol", "hope.txt", slow);
    const auto targets = ports({a.port, b.port, c.port});

    TempDir blocking_dir;
    const ClientRun blocking = run_client("blocking", blocking_dir.path, targets);
    ASSERT_EQ(blocking.code, 0) << blocking.err;
    ASSERT_EQ(blocking.poems, 3);
    ASSERT_GT(blocking.total, 0.0);

    for (const std::string& style : concurrent_styles) {
        TempDir dir;
        const ClientRun run = run_client(style, dir.path, targets);
        ASSERT_EQ(run.code, 0) << style << run.err;
        ASSERT_EQ(run.poems, 3) << run.out;
        EXPECT_LT(run.total, 0.7 * blocking.total)
            << style << " client: " << run.total << " s; blocking client: " << blocking.total << " s";
        for (const auto& target : targets) {
            EXPECT_EQ(read_file(dir.path / (target + ".txt")), read_file(a.file)) << style;
        }
    }
    EXPECT_EQ(a.stop(), 0);
    EXPECT_EQ(b.stop(), 0);
    EXPECT_EQ(c.stop(), 0);
}

// One download alone, then three clients of the same server at once (one
// concurrent client connecting three times): the seconds each took.
std::pair<double, double> one_then_three(PoetryServer& server) {
    TempDir dir;
    const std::string port = std::to_string(server.port);
    const ClientRun one = run_client("blocking", dir.path, {port});
    EXPECT_EQ(one.code, 0) << one.err;
    const ClientRun three = run_client("selectors", dir.path, {port, port, port});
    EXPECT_EQ(three.code, 0) << three.err;
    EXPECT_EQ(three.poems, 3) << three.out;
    for (const char* name : {".txt", "-2.txt", "-3.txt"}) {
        EXPECT_EQ(read_file(dir.path / (port + name)), read_file(server.file)) << name;
    }
    return {one.total, three.total};
}

class PoetryServerConcurrency : public ::testing::TestWithParam<std::string> {};

TEST_P(PoetryServerConcurrency, ServesThreeClientsInAboutTheTimeOfOne) {
    PoetryServer server(GetParam(), "hope.txt", slow);
    const auto [one, three] = one_then_three(server);
    ASSERT_GT(one, 0.0);
    EXPECT_LT(three, 0.7 * 3 * one) << "one client: " << one << " s; three at once: " << three << " s";
    EXPECT_EQ(server.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(NonBlockingStyles, PoetryServerConcurrency, ::testing::ValuesIn(concurrent_styles),
                         [](const auto& info) { return info.param; });

TEST(PoetryServerConcurrency, TheBlockingServerServesThreeClientsInTurn) {
    PoetryServer server("blocking", "hope.txt", slow);
    const auto [one, three] = one_then_three(server);
    ASSERT_GT(one, 0.0);
    EXPECT_GT(three, 0.7 * 3 * one) << "one client: " << one << " s; three at once: " << three << " s";
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace tulip::testing::poetry
