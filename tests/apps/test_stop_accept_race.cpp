// The servers before the event loop, stopped while clients keep connecting.
// Their stop (examples::StopSignal) shuts the listening socket down, and a
// server that select/poll/epoll had just reported the listener readable to
// then calls accept() on it, which fails with EINVAL: that must end the server
// as a stop (exit 0, nothing on stderr), not as "echo-server: [Errno 22]".
//
// The window is narrow (between the server's last look at the stop flag and
// its accept()), so no single round can be sure to hit it: each test runs
// rounds of start, burst of connections, SIGTERM, exit, for about a second.
// Without the stop check in examples::accept_client, every run failed for
// select, epoll-et, blocking, threaded and both poetry styles, most runs for
// selectors and busy, some for epoll; poll's window (it accepts first thing
// after its check) is rarely hit. test_accept_client.cpp sets the same race
// up step by step, deterministically, on the helper they all call.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/echo_server.hpp"
#include "test_poetry_support.hpp"
#include "tulip/net.hpp"

namespace tulip::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono_literals::operator""ms;

constexpr int max_rounds = 150;
constexpr auto time_budget = 1000ms;  // per test; a round takes ~5-50 ms (more under ASan)

// Threads that connect to the port and hang up at once, over and over, so the
// listener is readable (or a connection is being accepted) at any moment.
class ConnectionBurst {
public:
    explicit ConnectionBurst(std::uint16_t port, int threads = 2) : address_(Address::ip("127.0.0.1", port)) {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
    }
    ~ConnectionBurst() {
        done_.store(true);
        for (std::thread& t : threads_) t.join();
    }
    ConnectionBurst(const ConnectionBurst&) = delete;
    ConnectionBurst& operator=(const ConnectionBurst&) = delete;

    // Waits (a bounded time) until `n` connections were made: the server listens.
    bool wait_connected(int n) const {
        const auto deadline = Clock::now() + 2000ms;
        while (connected_.load() < n) {
            if (Clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        return true;
    }

private:
    void run() {
        while (!done_.load()) {
            Socket client(AF_INET, SOCK_STREAM);
            // Short: once the server is gone (or its backlog full) a SYN may go
            // unanswered, and connect would otherwise retry it for a second.
            client.settimeout(0.005);
            if (client.connect_ex(address_) == 0) connected_.fetch_add(1);
            client.close();
        }
    }

    Address address_;
    std::atomic<bool> done_{false};
    std::atomic<int> connected_{0};
    std::vector<std::thread> threads_;
};

// stderr without the lines a model prints at every start (busy's warning).
std::string error_lines(const std::string& err) {
    std::istringstream in(err);
    std::string line, errors;
    while (std::getline(in, line)) {
        if (line.rfind("warning: the busy model", 0) == 0) continue;
        errors += line + '\n';
    }
    return errors;
}

// Rounds of: start the server, connect in a burst, SIGTERM while connections
// arrive, expect a clean exit. `start` gives a server with process, port, stop().
template <class Start>
void stop_during_bursts(Start start) {
    const auto deadline = Clock::now() + time_budget;
    int rounds = 0;
    for (; rounds < max_rounds && Clock::now() < deadline; ++rounds) {
        auto server = start();
        int code = 0;
        {
            ConnectionBurst burst(server.port);
            ASSERT_TRUE(burst.wait_connected(2 + rounds % 5)) << "no connection got through";
            // A different moment in the server's cycle each round.
            std::this_thread::sleep_for(std::chrono::microseconds(rounds * 97 % 700));
            code = server.stop(SIGTERM);  // the burst goes on until the exit
        }
        const std::string err = server.process.err();
        ASSERT_EQ(code, 0) << "round " << rounds << ": " << err;
        ASSERT_EQ(error_lines(err), "") << "round " << rounds;
    }
    EXPECT_GE(rounds, 3) << "too few rounds to mean anything";
}

class EchoStopRace : public ::testing::TestWithParam<std::string> {};

TEST_P(EchoStopRace, AStopWhileClientsConnectIsACleanExit) {
    stop_during_bursts([] { return EchoServer(GetParam(), {"--plain"}); });
}

// The readiness models, where the window is; then the blocking ones and
// socketserver, whose accept() the stop wakes with the same EINVAL.
INSTANTIATE_TEST_SUITE_P(BeforeTheLoop, EchoStopRace,
                         ::testing::Values("select", "poll", "epoll", "epoll-et", "selectors", "busy", "blocking",
                                           "threaded", "socketserver"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (char& c : name) c = c == '-' ? '_' : c;
                             return name;
                         });

class PoetryStopRace : public ::testing::TestWithParam<std::string> {};

TEST_P(PoetryStopRace, AStopWhileClientsConnectIsACleanExit) {
    stop_during_bursts([] {
        return poetry::PoetryServer(GetParam(), "hope.txt", {"--delay", "0", "--num-bytes", "4096"});
    });
}

// The styles with a StopSignal (the loop styles stop through the event loop).
INSTANTIATE_TEST_SUITE_P(BeforeTheLoop, PoetryStopRace, ::testing::Values("blocking", "selectors"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tulip::testing
