// transports: a Protocol echo server and a client over real loopback sockets.
#include <gtest/gtest.h>

#include "support/fds.hpp"
#include "tulip/tulip.hpp"

namespace tulip {
namespace {

struct EchoProtocol : Protocol {
    Transport* transport = nullptr;
    void connection_made(Transport& t) override { transport = &t; }
    void data_received(std::string_view data) override { transport->write(data); }
};

// Records every call, to check the state machine CM -> DR* -> ER? -> CL.
struct Recorder : Protocol {
    std::vector<std::string>* log;
    std::string* received;
    Transport* transport = nullptr;
    Future<void> lost;
    Recorder(std::vector<std::string>* l, std::string* r, Future<void> f) : log(l), received(r), lost(f) {}
    void connection_made(Transport& t) override {
        transport = &t;
        log->push_back("CM");
    }
    void data_received(std::string_view data) override {
        if (log->back() != "DR") log->push_back("DR");
        received->append(data);
    }
    bool eof_received() override {
        log->push_back("ER");
        return false;
    }
    void connection_lost(std::exception_ptr e) override {
        log->push_back(e ? "CL(error)" : "CL");
        lost.set_result();
    }
};

Coro<void> echo_round_trip(std::string payload, std::vector<std::string>& log, std::string& received) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server([] { return std::make_unique<EchoProtocol>(); }, "127.0.0.1", 0);
    std::uint16_t port = server.sockets().at(0).getsockname().port();
    Future<void> lost;
    auto [transport, protocol] = co_await loop.create_connection(
        [&] { return std::make_unique<Recorder>(&log, &received, lost); }, "127.0.0.1", port);
    transport->write(payload);
    transport->write_eof();  // the server's protocol closes on EOF; we then see EOF and close too
    co_await lost;
    server.close();
    co_await server.wait_closed();
}

TEST(Transports, EchoRoundTripAndStateMachine) {
    int fds = testing::count_open_fds();
    std::vector<std::string> log;
    std::string received;
    std::string payload(3 << 20, 'x');  // 3 MiB: more than the socket buffers, so writes get buffered
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
    run(echo_round_trip(payload, log, received));
    EXPECT_EQ(received.size(), payload.size());
    EXPECT_TRUE(received == payload);
    EXPECT_EQ(log, (std::vector<std::string>{"CM", "DR", "ER", "CL"}));
    EXPECT_EQ(testing::count_open_fds(), fds);
    EXPECT_TRUE(all_tasks().empty());
}

}  // namespace
}  // namespace tulip
