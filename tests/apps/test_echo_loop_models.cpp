// The echo-server models on the event loop (examples/echo/s12-s16) and
// signal-cancel, each in what sets it apart: seed 000's "~", 3.5.3's "boom"
// handled and unhandled, 3.9's cancelling of every task, 3.10's graceful
// shutdown with its flaws fixed, and many clients streaming at once through
// the Protocol and streams models. (What every model does, these included:
// test_echo_models.cpp and test_echo_concurrency.cpp, through echo_models.hpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "support/echo_server.hpp"

namespace tulip::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view hello = "hello\r\n";
constexpr std::string_view boom = "boom\r\n";

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t count(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

void expect_echo(Socket& client, std::string_view message) {
    client.sendall(message);
    EXPECT_EQ(recv_exactly(client, message.size()), message);
}

// ---- every loop model ----

class LoopModel : public ::testing::TestWithParam<const char*> {};

TEST_P(LoopModel, SaysWhoConnectedAsListingThreeEightDoes) {
    EchoServer server(GetParam());
    Socket client = connect_to(server.port);
    expect_echo(client, hello);
    client.close();
    EXPECT_EQ(server.stop(SIGINT), 0) << server.process.err();
    EXPECT_NE(server.process.out().find("Got a connection from ('127.0.0.1', "), std::string::npos)
        << server.process.out();
}

INSTANTIATE_TEST_SUITE_P(Echo, LoopModel,
                         ::testing::Values("coroutine", "coroutine-boom", "graceful", "protocol", "streams"),
                         [](const auto& info) {
                             std::string name = info.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

// ---- s12 coroutine ----

TEST(CoroutineModel, SeedZeroZeroZeroRepliesWithATilde) {
    EchoServer server("coroutine", {"--seed", "000"});
    Socket client = connect_to(server.port);
    client.sendall(hello);
    EXPECT_EQ(recv_exactly(client, hello.size() + 1), std::string(hello) + "~");
    client.sendall("x");
    EXPECT_EQ(recv_exactly(client, 2), "x~");
    client.close();
    EXPECT_EQ(server.stop(), 0);
    EXPECT_NE(server.process.out().find("收到客户端 ('127.0.0.1', "), std::string::npos) << server.process.out();
}

TEST(CoroutineModel, PlainOutranksSeedZeroZeroZero) {
    EchoServer server("coroutine", {"--seed", "000", "--plain"});
    Socket client = connect_to(server.port);
    expect_echo(client, "ping");
    EXPECT_EQ(recv_within(client, 50ms), "") << "more than the echo came back";
    client.close();
    EXPECT_EQ(server.stop(), 0);
}

// ---- s13 coroutine-boom ----

TEST(CoroutineBoomModel, BoomClosesOnlyThatClientAndIsLogged) {
    EchoServer server("coroutine-boom");
    Socket victim = connect_to(server.port);
    Socket other = connect_to(server.port);
    expect_echo(victim, hello);
    expect_echo(other, hello);
    victim.sendall(boom);
    EXPECT_TRUE(sees_eof(victim)) << "the failed connection was left open";
    expect_echo(other, hello);  // the others go on
    Socket late = connect_to(server.port);
    expect_echo(late, hello);
    other.close();
    late.close();
    EXPECT_EQ(server.stop(), 0);
    const std::string err = server.process.err();
    EXPECT_EQ(count(err, "ERROR:root:Unexpected network error"), 1U) << err;
    EXPECT_EQ(err.find("never retrieved"), std::string::npos) << err;
    EXPECT_NE(server.process.out().find("got data!"), std::string::npos);
}

TEST(CoroutineBoomModel, UnhandledBoomIsATaskExceptionNeverRetrieved) {
    EchoServer server("coroutine-boom", {"--unhandled"});
    Socket victim = connect_to(server.port);
    Socket other = connect_to(server.port);
    expect_echo(victim, hello);
    victim.sendall(boom);
    EXPECT_TRUE(sees_eof(victim)) << "the failed task's connection was left open";
    expect_echo(other, hello);
    other.close();
    EXPECT_EQ(server.stop(), 0);
    const std::string err = server.process.err();
    EXPECT_EQ(count(err, "Task exception was never retrieved"), 1U) << err;
    EXPECT_NE(err.find("RuntimeError: Unexpected network error"), std::string::npos) << err;
    EXPECT_EQ(err.find("ERROR:root"), std::string::npos) << err;
}

// ---- signal-cancel (listing 3.9) ----

struct SignalCancel {
    explicit SignalCancel(const std::vector<std::string>& args) : process("signal-cancel", args) {}
    Process process;
};

TEST(SignalCancel, SigintCancelsMainAndEveryEchoTask) {
    SignalCancel program({"--port", "0"});
    static const std::regex listening(R"(^Listening on 127\.0\.0\.1:(\d+)$)");
    const auto line = program.process.wait_for_line(listening, 5s);
    ASSERT_TRUE(line) << program.process.err();
    const auto port = static_cast<std::uint16_t>(std::stoi((*line)[1]));
    Socket first = connect_to(port);
    Socket second = connect_to(port);
    expect_echo(first, hello);  // each has its echo task now
    expect_echo(second, hello);

    program.process.send_signal(SIGINT);
    EXPECT_EQ(program.process.wait(3s), 0) << program.process.err();
    const std::string out = program.process.out();
    EXPECT_NE(out.find("Got a SIGINT!\nCancelling 3 task(s).\n"), std::string::npos) << out;  // main + 2
    EXPECT_NE(out.find("main() was cancelled"), std::string::npos) << out;
    EXPECT_TRUE(sees_eof(first));
    EXPECT_TRUE(sees_eof(second));
    EXPECT_TRUE(refuses_connections(port));
}

TEST(SignalCancel, TheListingItselfCancelsItsOneTask) {
    SignalCancel program({"--delay", "10"});
    ASSERT_TRUE(program.process.wait_for_output("sleeping for 10 second(s)\n", 5s));
    const auto start = Clock::now();
    program.process.send_signal(SIGTERM);
    EXPECT_EQ(program.process.wait(3s), 0);
    EXPECT_LT(seconds_since(start), 1.0);
    const std::string out = program.process.out();
    EXPECT_NE(out.find("Got a SIGTERM!\nCancelling 1 task(s).\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("finished sleeping"), std::string::npos) << out;
}

TEST(SignalCancel, WithoutASignalTheDelayEnds) {
    SignalCancel program({"--delay", "0.05"});
    EXPECT_EQ(program.process.wait(3s), 0);
    const std::string out = program.process.out();
    EXPECT_NE(out.find("finished sleeping for 0.05 second(s)"), std::string::npos) << out;
    EXPECT_EQ(out.find("Cancelling"), std::string::npos) << out;
}

// ---- s14 graceful (listing 3.10, fixed) ----

TEST(GracefulModel, StopsAcceptingAndServesClientsThroughTheGracePeriod) {
    EchoServer server("graceful");  // --grace 2
    Socket client = connect_to(server.port);
    expect_echo(client, "hel");  // mid-line when the signal comes
    server.process.send_signal(SIGTERM);
    ASSERT_TRUE(server.process.wait_for_output("no longer accepting", 2s)) << server.process.out();
    EXPECT_TRUE(refuses_connections(server.port)) << "still accepting after the signal";
    expect_echo(client, "lo\r\n");  // still served
    const auto left = Clock::now();
    client.close();
    EXPECT_EQ(server.process.wait(2s), 0) << server.process.err();
    EXPECT_LT(seconds_since(left), 1.0) << "waited out the grace period with no task left";
    EXPECT_NE(server.process.out().find("1 echo task(s) finished in time, 0 cancelled"), std::string::npos)
        << server.process.out();
}

TEST(GracefulModel, AnEchoInFlightAtTheSignalIsDelivered) {
    EchoServer server("graceful", {"--grace", "1"});
    Socket client = connect_to(server.port);
    expect_echo(client, hello);
    client.sendall("ping");
    server.process.send_signal(SIGINT);  // while "ping" is on its way
    EXPECT_EQ(recv_exactly(client, 4), "ping");
    EXPECT_TRUE(sees_eof(client)) << "the connection outlived the grace period";
    EXPECT_EQ(server.process.wait(2s), 0);
}

TEST(GracefulModel, CancelsTasksStillRunningAfterTheGracePeriod) {
    EchoServer server("graceful", {"--grace", "0.5"});
    Socket first = connect_to(server.port);
    Socket second = connect_to(server.port);
    expect_echo(first, hello);
    expect_echo(second, hello);  // both now idle: their tasks wait in sock_recv
    const auto start = Clock::now();
    server.process.send_signal(SIGINT);
    EXPECT_EQ(server.process.wait(1500ms), 0) << "not out within grace + 1 s";
    EXPECT_GE(seconds_since(start), 0.45) << "did not wait for the grace period";
    EXPECT_TRUE(sees_eof(first));
    EXPECT_TRUE(sees_eof(second));
    const std::string out = server.process.out();
    EXPECT_NE(out.find("Got SIGINT: no longer accepting connections; 2 echo task(s) have 0.5 s to finish"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("0 echo task(s) finished in time, 2 cancelled after the grace period, 0 failed"),
              std::string::npos)
        << out;
}

TEST(GracefulModel, ReportsEveryFailedTaskNotOnlyTheFirst) {
    EchoServer server("graceful", {"--unhandled", "--grace", "0.3"});
    std::vector<Socket> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(connect_to(server.port));
        expect_echo(clients.back(), hello);  // accepted: no reaping after this
    }
    for (int i = 0; i < 2; ++i) {
        clients[i].sendall(boom);
        EXPECT_TRUE(sees_eof(clients[i]));
    }
    EXPECT_EQ(server.stop(SIGTERM), 0);
    const std::string err = server.process.err();
    EXPECT_EQ(count(err, "failed: RuntimeError: Unexpected network error"), 2U) << err;
    EXPECT_EQ(err.find("never retrieved"), std::string::npos) << err;
    EXPECT_NE(server.process.out().find("0 echo task(s) finished in time, 1 cancelled after the grace "
                                        "period, 2 failed"),
              std::string::npos)
        << server.process.out();
    EXPECT_TRUE(sees_eof(clients[2]));
}

// ---- s15 protocol, s16 streams (and s12): many clients streaming at once ----

class StreamingModel : public ::testing::TestWithParam<const char*> {};

TEST_P(StreamingModel, FourClientsEchoTwoMebibytesEachAtOnce) {
    EchoServer server(GetParam(), {"--plain"});
    constexpr int clients = 4;
    std::vector<std::string> errors(clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            try {
                std::string message(2 << 20, '\0');
                std::mt19937 random(static_cast<unsigned>(i));
                for (char& c : message) c = static_cast<char>(random());
                Socket client = connect_to(server.port);
                std::string send_error;
                std::thread sender([&] {  // read while sending, or both sides' buffers fill
                    try {
                        client.sendall(message);
                    } catch (const std::exception& e) {
                        send_error = e.what();
                    }
                });
                std::string echoed;
                try {
                    echoed = recv_exactly(client, message.size());
                } catch (const std::exception& e) {
                    errors[i] = e.what();
                    client.shutdown(SHUT_RDWR);  // unblocks the sender
                }
                sender.join();
                if (errors[i].empty()) errors[i] = send_error;
                if (errors[i].empty() && echoed != message) errors[i] = "the echo differs from what was sent";
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (std::thread& t : threads) t.join();
    for (const std::string& error : errors) EXPECT_EQ(error, "");
    EXPECT_EQ(server.stop(), 0) << server.process.err();
}

INSTANTIATE_TEST_SUITE_P(Echo, StreamingModel, ::testing::Values("protocol", "streams", "coroutine"));

}  // namespace
}  // namespace tulip::testing
