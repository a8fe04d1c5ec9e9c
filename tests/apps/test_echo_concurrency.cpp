// Who waits for whom. The threaded and multiplexing models serve a client while
// another sits connected and silent, keep many conversations interleaved, and
// echo an 8 MiB message byte for byte (which needs replies the kernel did not
// take at once to be kept and sent on writability). The blocking, lines and
// naive-multi models demonstrably serve one client at a time: the seeds' point.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "apps/echo_models.hpp"
#include "support/echo_server.hpp"

namespace tulip::testing {
namespace {

using std::chrono_literals::operator""ms;

class ConcurrentModel : public ::testing::TestWithParam<EchoModel> {};
class OneAtATimeModel : public ::testing::TestWithParam<EchoModel> {};

TEST_P(ConcurrentModel, ServesSecondClientWhileFirstIsIdle) {
    EchoServer server(GetParam().name);
    Socket first = connect_to(server.port);
    first.sendall(hello);
    EXPECT_EQ(recv_exactly(first, GetParam().hello_reply.size()), GetParam().hello_reply);

    Socket second = connect_to(server.port, /*timeout=*/2.0);  // first stays connected, silent
    second.sendall(hello);
    EXPECT_EQ(recv_exactly(second, GetParam().hello_reply.size()), GetParam().hello_reply);

    first.sendall(hello);  // and the first is still served afterwards
    EXPECT_EQ(recv_exactly(first, GetParam().hello_reply.size()), GetParam().hello_reply);
    EXPECT_EQ(server.stop(), 0);
}

TEST_P(ConcurrentModel, InterleavesManyConversations) {
    EchoServer server(GetParam().name, {"--plain"});
    std::vector<Socket> clients;
    for (int i = 0; i < 8; ++i) clients.push_back(connect_to(server.port));
    for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < clients.size(); ++i) {
            clients[i].sendall("client " + std::to_string(i) + " round " + std::to_string(round));
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            const std::string expected =
                "client " + std::to_string(i) + " round " + std::to_string(round);
            EXPECT_EQ(recv_exactly(clients[i], expected.size()), expected);
        }
    }
    clients.clear();
    EXPECT_EQ(server.stop(), 0);
}

TEST_P(ConcurrentModel, EchoesEightMebibytesByteForByte) {
    EchoServer server(GetParam().name, {"--plain"});
    // More than a socket's send buffer can grow to here (tcp_wmem max: 4 MiB).
    std::string message(8 << 20, '\0');
    std::mt19937 random(42);
    for (char& c : message) c = static_cast<char>(random());

    // A small receive buffer, and a client that only starts reading after a
    // while, make the server's sends come up short: what the kernel did not
    // take must be kept and sent on writability, or the echo has holes.
    Socket client(AF_INET);
    client.setsockopt(SOL_SOCKET, SO_RCVBUF, 32 * 1024);  // before connect: fixes the window
    client.settimeout(5.0);
    client.connect(Address::ip("127.0.0.1", server.port));
    // Send from a thread while reading here: reading only after sending it all
    // would deadlock against any echo server once both sides' buffers fill.
    std::string send_error;
    std::thread sender([&] {
        try {
            client.sendall(message);
        } catch (const std::exception& e) {
            send_error = e.what();
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::string echoed;
    try {
        echoed = recv_exactly(client, message.size());
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    sender.join();
    EXPECT_EQ(send_error, "");
    EXPECT_EQ(echoed.size(), message.size());
    EXPECT_TRUE(echoed == message) << "the echo differs from what was sent";
    client.close();
    EXPECT_EQ(server.stop(), 0) << server.process.err();
}

TEST_P(OneAtATimeModel, SecondClientWaitsUntilFirstLeaves) {
    EchoServer server(GetParam().name);
    Socket first = connect_to(server.port);
    first.sendall(hello);
    EXPECT_EQ(recv_exactly(first, GetParam().hello_reply.size()), GetParam().hello_reply);

    Socket second = connect_to(server.port);  // the kernel accepts it into the backlog
    second.sendall(hello);
    EXPECT_EQ(recv_within(second, 300ms), "") << "served while the first client was connected";

    first.close();  // now the server gets to the second client
    EXPECT_EQ(recv_exactly(second, GetParam().hello_reply.size()), GetParam().hello_reply);
    second.close();
    EXPECT_EQ(server.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Echo, ConcurrentModel, ::testing::ValuesIn(echo_models_where(true)),
                         echo_model_name);
INSTANTIATE_TEST_SUITE_P(Echo, OneAtATimeModel, ::testing::ValuesIn(echo_models_where(false)),
                         echo_model_name);

}  // namespace
}  // namespace tulip::testing
