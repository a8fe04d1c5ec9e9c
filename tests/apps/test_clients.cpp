// The client programs, driven through pipes: seed 000's interactive
// echo-client and seed 004's parts-client.
#include <gtest/gtest.h>

#include <regex>

#include "support/echo_server.hpp"

namespace tulip::testing {
namespace {

using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;

std::vector<std::string> client_args(std::uint16_t port) {
    return {"--host", "127.0.0.1", "--port", std::to_string(port)};
}

TEST(EchoClient, SendsLinesPrintsRepliesAndQuits) {
    EchoServer server("blocking");
    Process client("echo-client", client_args(server.port));
    client.write_stdin("hello\nworld\n  QuIt \n");
    ASSERT_EQ(client.wait(5s), 0) << client.err();
    EXPECT_EQ(client.out(),
              "请输入内容: 服务端收到, 你发的消息是: hello\n"
              "请输入内容: 服务端收到, 你发的消息是: world\n"
              "请输入内容: Bye~~~\n");
    EXPECT_EQ(server.stop(), 0);
    EXPECT_NE(server.process.out().find("客户端发来消息: world"), std::string::npos);
    EXPECT_NE(server.process.out().find("客户端已经断开连接"), std::string::npos);
}

TEST(EchoClient, EndOfInputQuitsToo) {
    EchoServer server("threaded");
    Process client("echo-client", client_args(server.port));
    client.write_stdin("hi\n\n");  // an empty line is not sent: it would wait forever
    client.close_stdin();
    ASSERT_EQ(client.wait(5s), 0) << client.err();
    EXPECT_EQ(client.out(),
              "请输入内容: 服务端收到, 你发的消息是: hi\n请输入内容: 请输入内容: Bye~~~\n");
    EXPECT_EQ(server.stop(), 0);
}

TEST(EchoClient, CrlfTalksToTheLineModels) {
    EchoServer server("lines");
    Process client("echo-client", [&] {
        auto args = client_args(server.port);
        args.push_back("--crlf");
        return args;
    }());
    client.write_stdin("testing123\nexit\n");
    ASSERT_EQ(client.wait(5s), 0) << client.err();
    EXPECT_EQ(client.out(), "请输入内容: testing123\r\n\n请输入内容: Bye~~~\n");
    EXPECT_EQ(server.stop(), 0);
}

TEST(EchoClient, EndsWhenTheServerGoesAway) {
    EchoServer server("epoll");
    Process client("echo-client", client_args(server.port));
    client.write_stdin("hello\n");
    ASSERT_TRUE(client.wait_for_output("你发的消息是: hello\n", 5s)) << client.out();
    ASSERT_EQ(server.stop(), 0);
    client.write_stdin("anyone?\n");
    EXPECT_EQ(client.wait(5s), 1);
    const bool said_so = client.out().find("服务端已经断开连接") != std::string::npos ||
                         client.err().find("echo-client:") != std::string::npos;
    EXPECT_TRUE(said_so) << client.out() << client.err();
}

TEST(EchoClient, ReportsARefusedConnection) {
    EchoServer server("select");
    const std::uint16_t port = server.port;
    ASSERT_EQ(server.stop(), 0);
    Process client("echo-client", client_args(port));
    EXPECT_EQ(client.wait(5s), 1);
    EXPECT_NE(client.err().find("Connection refused"), std::string::npos) << client.err();
}

TEST(PartsClient, SendsTheMessageInPartsOverTwoSockets) {
    EchoServer server("select");
    Process client("parts-client", client_args(server.port));
    ASSERT_EQ(client.wait(5s), 0) << client.err();

    // The seed's run, with this run's ports: socket A sends parts 1 and 3, B parts 2 and 4.
    const std::regex expected("connecting to 127\\.0\\.0\\.1 port " + std::to_string(server.port) +
                              "\n"
                              R"(\('127\.0\.0\.1', (\d+)\): sending b'This is '
\('127\.0\.0\.1', \1\): received b"Server received b'This is '"
\('127\.0\.0\.1', (\d+)\): sending b'the message\. '
\('127\.0\.0\.1', \2\): received b"Server received b'the message\. '"
\('127\.0\.0\.1', \1\): sending b'It will be sent '
\('127\.0\.0\.1', \1\): received b"Server received b'It will be sent '"
\('127\.0\.0\.1', \2\): sending b'in parts\.'
\('127\.0\.0\.1', \2\): received b"Server received b'in parts\.'"
)");
    std::smatch match;
    const std::string out = client.out();
    ASSERT_TRUE(std::regex_match(out, match, expected)) << out;
    EXPECT_NE(match[1], match[2]) << "both parts went over one socket";

    EXPECT_EQ(server.stop(), 0);
    const std::string server_out = server.process.out();
    EXPECT_NE(server_out.find("Connected by ('127.0.0.1', " + match[1].str() + ")"),
              std::string::npos)
        << server_out;
    EXPECT_NE(
        server_out.find("received \"b'in parts.'\" from ('127.0.0.1', " + match[2].str() + ")"),
        std::string::npos)
        << server_out;
}

}  // namespace
}  // namespace tulip::testing
