// Seed 003's slow poetry programs, every server style with every client style:
// the client downloads the same server twice (files PORT.txt and PORT-2.txt)
// and both files are the poem, byte for byte (Ozymandias has UTF-8 dashes,
// which 64-byte chunks cut in the middle).
#include <fmt/format.h>

#include <tuple>

#include "test_poetry_support.hpp"

namespace tulip::testing::poetry {
namespace {

using std::chrono_literals::operator""s;

class PoetryMatrix : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(PoetryMatrix, DownloadsThePoemByteForByte) {
    const auto& [server_style, client_style] = GetParam();
    PoetryServer server(server_style, "ozymandias.txt", {"--delay", "0.005", "--num-bytes", "64"});
    const std::string poem = read_file(server.file);
    ASSERT_GT(poem.size(), 600u);

    TempDir dir;
    const std::string port = std::to_string(server.port);
    const ClientRun run = run_client(client_style, dir.path, {port, "127.0.0.1:" + port});
    ASSERT_EQ(run.code, 0) << run.out << run.err;
    EXPECT_EQ(run.err, "");
    EXPECT_EQ(read_file(dir.path / (port + ".txt")), poem);
    EXPECT_EQ(read_file(dir.path / (port + "-2.txt")), poem);

    for (int task : {1, 2}) {
        const std::regex got(
            fmt::format(R"((^|\n)Task {}: got {} bytes of poetry from 127\.0\.0\.1:{} in 0:00:\d\d(\.\d+)?\n)", task,
                        poem.size(), port));
        EXPECT_TRUE(std::regex_search(run.out, got)) << run.out;
    }
    EXPECT_EQ(run.poems, 2) << run.out;
    if (client_style == "blocking") {
        EXPECT_NE(run.out.find(poem), std::string::npos) << "the blocking client prints the poem";
    }

    EXPECT_EQ(server.stop(SIGINT), 0) << server.process.err();
    EXPECT_EQ(server.process.err(), "");
    const std::string log = server.process.out();
    const std::regex somebody(R"(Somebody at \('127\.0\.0\.1', \d+\) wants poetry!)");
    EXPECT_EQ(std::distance(std::sregex_iterator(log.begin(), log.end(), somebody), std::sregex_iterator()), 2) << log;
    EXPECT_NE(log.find("sending complete"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(AllStyles, PoetryMatrix,
                         ::testing::Combine(::testing::ValuesIn(styles), ::testing::ValuesIn(styles)),
                         [](const auto& info) {
                             return std::get<0>(info.param) + "_server_" + std::get<1>(info.param) + "_client";
                         });

}  // namespace
}  // namespace tulip::testing::poetry
