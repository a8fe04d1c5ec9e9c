// One loop per core: two loops on two threads each listen on the same port with
// SO_REUSEPORT (ServerOptions::reuse_port), and the kernel hands connections to both.
#include <atomic>

#include "support/eventually.hpp"
#include "transport_test.hpp"
#include "tulip/coro/loop_group.hpp"

namespace tulip::transport_test {
namespace {

using tulip::testing::eventually;

class ReusePortTest : public TransportTest {};

// Echoes, and counts its loop's connections (made, and still alive).
struct CountingEcho : Protocol {
    std::atomic<int>& accepted;
    std::atomic<int>& live;
    Transport* transport = nullptr;
    CountingEcho(std::atomic<int>& a, std::atomic<int>& l) : accepted(a), live(l) {}
    void connection_made(Transport& t) override {
        transport = &t;
        ++accepted;
        ++live;
    }
    void data_received(std::string_view data) override { transport->write(data); }
    void connection_lost(std::exception_ptr) override { --live; }
};

TEST_F(ReusePortTest, TwoLoopsShareAPortAndBothServe) {
    // Holds a free port for the two servers: bound with SO_REUSEPORT but not
    // listening, so it takes no connections itself.
    Socket reserve(AF_INET);
    reserve.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    reserve.bind(Address::ipv4("127.0.0.1", 0));
    const std::uint16_t port = reserve.getsockname().port();

    std::atomic<int> listening{0}, live{0};
    std::atomic<int> accepted[2] = {0, 0};
    std::atomic<EventLoop*> loops[2] = {nullptr, nullptr};
    LoopGroup group(2);
    group.start([&](int index) -> Coro<void> {
        EventLoop& loop = get_running_loop();
        loops[index] = &loop;
        ServerOptions options;
        options.reuse_port = true;
        Server server = co_await loop.create_server(
            [&, index] { return std::make_unique<CountingEcho>(accepted[index], live); }, "127.0.0.1", port,
            options);
        ++listening;
        co_await server.serve_forever();  // until group.stop()
    });
    ASSERT_TRUE(eventually([&] { return listening == 2; }));
    reserve.close();

    constexpr int clients = 64;  // all on one loop by chance: 2^-63
    for (int i = 0; i < clients; ++i) {
        Socket c(AF_INET);
        c.settimeout(2.0);
        c.connect(Address::ipv4("127.0.0.1", port));
        c.sendall("ping");
        EXPECT_EQ(c.recv(16), "ping");
    }
    EXPECT_TRUE(eventually([&] { return live == 0; }));
    group.stop();
    group.join();
    EXPECT_NE(loops[0].load(), loops[1].load());
    EXPECT_GE(accepted[0], 1);
    EXPECT_GE(accepted[1], 1);
    EXPECT_EQ(accepted[0] + accepted[1], clients);
}

}  // namespace
}  // namespace tulip::transport_test
