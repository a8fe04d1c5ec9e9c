// Every echo-server model, driven over real sockets: the seed's reply, the
// pure echo of --plain, several clients, a clean exit (code 0, sockets closed)
// on SIGINT and SIGTERM, and surviving clients that reset their connection.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "apps/echo_models.hpp"
#include "support/echo_server.hpp"

namespace tulip::testing {
namespace {

class EveryModel : public ::testing::TestWithParam<EchoModel> {};

// One request and its reply, in the model's words.
void expect_hello(Socket& client, const EchoModel& model) {
    client.sendall(hello);
    EXPECT_EQ(recv_exactly(client, model.hello_reply.size()), model.hello_reply);
}

TEST_P(EveryModel, RepliesInItsSeedsWords) {
    EchoServer server(GetParam().name);
    Socket client = connect_to(server.port);
    expect_hello(client, GetParam());
    if (GetParam().keeps_serving) expect_hello(client, GetParam());  // and the next message
    client.close();
    EXPECT_EQ(server.stop(), 0) << server.process.err();
}

TEST_P(EveryModel, PlainIsAPureByteEchoAndQuiet) {
    EchoServer server(GetParam().name, {"--plain"});
    Socket client = connect_to(server.port);
    client.sendall("ping");  // no "\r\n": --plain echoes chunks, even on the line models
    EXPECT_EQ(recv_exactly(client, 4), "ping");
    if (!GetParam().keeps_serving) client = connect_to(server.port);
    const std::string binary = std::string("\x00\xff\r\n", 4) + std::string(hello);
    client.sendall(binary);
    EXPECT_EQ(recv_exactly(client, binary.size()), binary);
    client.close();
    EXPECT_EQ(server.stop(), 0);
    // Only the two startup lines: nothing is printed per message or connection.
    const std::string out = server.process.out();
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
}

TEST_P(EveryModel, ServesSeveralClientsAtOnce) {
    EchoServer server(GetParam().name);
    constexpr int clients = 4;
    std::vector<std::string> replies(clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            try {
                Socket client = connect_to(server.port);
                client.sendall(hello);
                replies[i] = recv_exactly(client, GetParam().hello_reply.size());
            } catch (const std::exception& e) {
                replies[i] = e.what();
            }
        });  // each client leaves once answered, so one-at-a-time models get through too
    }
    for (std::thread& t : threads) t.join();
    for (const std::string& reply : replies) EXPECT_EQ(reply, GetParam().hello_reply);
    EXPECT_EQ(server.stop(), 0);
}

void expect_clean_stop(int sig) {
    const EchoModel& model = ::testing::TestWithParam<EchoModel>::GetParam();
    EchoServer server(model.name);
    Socket client = connect_to(server.port);
    expect_hello(client, model);  // a client is connected: blocking models sit in its recv()
    EXPECT_EQ(server.stop(sig), 0) << server.process.err();
    EXPECT_TRUE(sees_eof(client)) << "the server did not close the client's connection";
    EXPECT_TRUE(refuses_connections(server.port)) << "the listening socket is still open";
    EXPECT_EQ(server.process.err().find("echo-server:"), std::string::npos) << server.process.err();
}

TEST_P(EveryModel, StopsCleanlyOnSigint) {
    expect_clean_stop(SIGINT);
}
TEST_P(EveryModel, StopsCleanlyOnSigterm) {
    expect_clean_stop(SIGTERM);
}

TEST_P(EveryModel, StopsCleanlyWithNoClient) {
    EchoServer server(GetParam().name);
    EXPECT_EQ(server.stop(SIGINT), 0);
    EXPECT_TRUE(refuses_connections(server.port));
}

TEST_P(EveryModel, SurvivesClientsThatResetTheirConnection) {
    EchoServer server(GetParam().name);
    {
        Socket rude = connect_to(server.port);
        rude.sendall(hello);
        reset_and_close(rude);  // gone before its reply: the server's send meets the RST
    }
    {
        Socket rude = connect_to(server.port);
        expect_hello(rude, GetParam());
        reset_and_close(rude);  // gone while the server waits in recv()
    }
    Socket polite = connect_to(server.port);
    expect_hello(polite, GetParam());
    polite.close();
    EXPECT_EQ(server.stop(), 0) << server.process.err();
}

INSTANTIATE_TEST_SUITE_P(Echo, EveryModel, ::testing::ValuesIn(echo_models()), echo_model_name);

}  // namespace
}  // namespace tulip::testing
