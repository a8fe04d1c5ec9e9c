// The poetry servers as a raw client sees them: they stop cleanly (exit 0) on
// SIGINT and SIGTERM, idle or in the middle of a delivery; the non-blocking
// ones carry on when a client leaves early; and the protocol server answers
// each `poems` request once, however TCP cuts or joins the requests.
#include <thread>

#include "support/echo_server.hpp"
#include "test_poetry_support.hpp"
#include "tulip/net.hpp"

namespace tulip::testing::poetry {
namespace {

using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;

class PoetryServerSignals : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(PoetryServerSignals, ExitZeroWhenIdle) {
    const auto& [style, sig] = GetParam();
    PoetryServer server(style, "hope.txt");
    EXPECT_EQ(server.stop(sig), 0) << server.process.err();
}

TEST_P(PoetryServerSignals, ExitZeroInTheMiddleOfADelivery) {
    const auto& [style, sig] = GetParam();
    PoetryServer server(style, "hope.txt", {"--delay", "0.5", "--num-bytes", "10"});
    Socket client = connect_to(server.port);
    client.sendall("poems");
    EXPECT_EQ(recv_exactly(client, 10), read_file(server.file).substr(0, 10));  // then it waits 0.5 s
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(server.stop(sig), 0) << server.process.err();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "the stop waited for the delivery";
    EXPECT_TRUE(sees_eof(client));
}

INSTANTIATE_TEST_SUITE_P(AllStyles, PoetryServerSignals,
                         ::testing::Combine(::testing::ValuesIn(styles), ::testing::Values(SIGINT, SIGTERM)),
                         [](const auto& info) {
                             return std::get<0>(info.param) +
                                    (std::get<1>(info.param) == SIGINT ? "_SIGINT" : "_SIGTERM");
                         });

class PoetryServerDepartures : public ::testing::TestWithParam<std::string> {};

// One client leaves after its first chunk (one plainly, one with a RST), and
// the server goes on serving the others.
TEST_P(PoetryServerDepartures, ACLientLeavingEarlyHarmsNobody) {
    PoetryServer server(GetParam(), "hope.txt", {"--delay", "0.01", "--num-bytes", "50"});
    {
        Socket quitter = connect_to(server.port);
        Socket rude = connect_to(server.port);
        for (Socket* s : {&quitter, &rude}) {
            s->sendall("poems");
            recv_exactly(*s, 50);
        }
        quitter.close();
        reset_and_close(rude);
    }
    std::this_thread::sleep_for(50ms);  // a few chunks go nowhere meanwhile
    TempDir dir;
    const std::string port = std::to_string(server.port);
    const ClientRun run = run_client("loop", dir.path, {port});
    ASSERT_EQ(run.code, 0) << run.err;
    EXPECT_EQ(read_file(dir.path / (port + ".txt")), read_file(server.file));
    EXPECT_EQ(server.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(NonBlockingStyles, PoetryServerDepartures, ::testing::ValuesIn(concurrent_styles),
                         [](const auto& info) { return info.param; });

TEST(PoetryProtocolServer, AnswersEachRequestOnceHoweverTheyArrive) {
    PoetryServer server("protocol", "hope.txt", {"--delay", "0", "--num-bytes", "10"});
    const std::string poem = read_file(server.file);
    Socket client = connect_to(server.port);

    client.sendall("poemspoems");  // two requests in one segment: two chunks
    EXPECT_EQ(recv_exactly(client, 20), poem.substr(0, 20));
    client.sendall("po");  // one request in two pieces: one chunk, once it is whole
    EXPECT_EQ(recv_within(client, 50ms), "");
    client.sendall("ems");
    EXPECT_EQ(recv_exactly(client, 10), poem.substr(20, 10));
    client.sendall("hello");  // not a request: no answer
    EXPECT_EQ(recv_within(client, 50ms), "");

    // The rest, then EOF (write_eof) for the request after the last chunk.
    const std::size_t chunks_left = (poem.size() - 30 + 9) / 10;
    std::string requests;
    for (std::size_t i = 0; i <= chunks_left; ++i) requests += "poems";
    client.sendall(requests);
    EXPECT_EQ(recv_exactly(client, poem.size() - 30), poem.substr(30));
    EXPECT_TRUE(sees_eof(client));
    client.close();
    EXPECT_EQ(server.stop(), 0);
    EXPECT_NE(server.process.out().find("sending complete"), std::string::npos);
}

// The streaming styles need no requests: a client that sends nothing (nc, the
// seed's own clients) gets the whole poem, then EOF.
TEST(PoetryStreamingServers, SendThePoemUnasked) {
    for (const std::string style : {"blocking", "selectors", "loop"}) {
        PoetryServer server(style, "hope.txt", {"--delay", "0", "--num-bytes", "64"});
        Socket client = connect_to(server.port);
        const std::string poem = read_file(server.file);
        EXPECT_EQ(recv_exactly(client, poem.size()), poem) << style;
        EXPECT_TRUE(sees_eof(client)) << style;
        client.close();
        EXPECT_EQ(server.stop(), 0) << style;
    }
}

// A streaming server with no delay sends its first chunk as soon as it accepts,
// so the data often arrives while the protocol client is still waiting for its
// connect to complete. The transport must read it then, not wait for a new
// edge (a bug found by this test: the connect wait had used up the edge).
TEST(PoetryProtocolClient, ReadsWhatArrivedWithTheConnection) {
    PoetryServer server("selectors", "hope.txt", {"--delay", "0", "--num-bytes", "500"});
    const std::string port = std::to_string(server.port);
    TempDir dir;
    const ClientRun run = run_client("protocol", dir.path, std::vector<std::string>(8, port), 5s);
    ASSERT_EQ(run.code, 0) << run.out << run.err;
    EXPECT_EQ(run.poems, 8);
    EXPECT_EQ(read_file(dir.path / (port + "-8.txt")), read_file(server.file));
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace tulip::testing::poetry
