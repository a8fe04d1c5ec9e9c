// Behaviour particular to one model: the lines model's telnet framing (seed 001
// listing 3.2), the selectors model's "No events" heartbeat (listing 3.7), the
// busy model's warning (listing 3.6); and echo-server's command line.
#include <gtest/gtest.h>

#include <thread>

#include "support/echo_server.hpp"

namespace tulip::testing {
namespace {

using std::chrono_literals::operator""ms;

TEST(LinesModel, EchoesWholeTelnetLinesSplitAcrossSends) {
    EchoServer server("lines");
    Socket client = connect_to(server.port);
    client.sendall("hel");
    std::this_thread::sleep_for(20ms);
    client.sendall("lo\r");
    EXPECT_EQ(recv_within(client, 200ms), "") << "echoed before the line was complete";
    client.sendall("\nwor");
    EXPECT_EQ(recv_exactly(client, 7), "hello\r\n");
    client.sendall("ld\r\nagain\r\n");  // the end of one line and a whole one, in one send
    EXPECT_EQ(recv_exactly(client, 14), "world\r\nagain\r\n");
    client.close();
    EXPECT_EQ(server.stop(), 0);

    const std::string out = server.process.out();
    EXPECT_NE(out.find("I got a connection from ('127.0.0.1', "), std::string::npos) << out;
    EXPECT_NE(out.find("I got data: b'he'!"), std::string::npos) << out;  // recv(2), as the seed
    EXPECT_NE(out.find("All the data is: b'hello\\r\\n'"), std::string::npos) << out;
    EXPECT_NE(out.find("All the data is: b'world\\r\\n'"), std::string::npos) << out;
}

TEST(LinesModel, EchoesAnUnfinishedLineAtEof) {
    EchoServer server("lines");
    Socket client = connect_to(server.port);
    client.sendall("no newline");
    client.shutdown(SHUT_WR);  // the seed's loop also ends at EOF, then echoes the buffer
    EXPECT_EQ(recv_exactly(client, 10), "no newline");
    EXPECT_EQ(server.stop(), 0);
}

TEST(SelectorsModel, SaysNoEventsWhenSelectTimesOut) {
    EchoServer server("selectors");
    EXPECT_TRUE(server.process.wait_for_line(std::regex("^No events, waiting a bit more!$"),
                                             std::chrono::seconds(3)));
    EXPECT_EQ(server.stop(), 0);
}

TEST(SelectorsModel, StaysQuietWithPlain) {
    EchoServer server("selectors", {"--plain"});
    std::this_thread::sleep_for(1300ms);  // past one select(timeout=1)
    EXPECT_EQ(server.stop(), 0);
    EXPECT_EQ(server.process.out().find("No events"), std::string::npos);
}

TEST(BusyModel, WarnsThatItBurnsACore) {
    EchoServer server("busy");
    EXPECT_EQ(server.stop(), 0);
    EXPECT_NE(server.process.err().find("burns a CPU core"), std::string::npos);
}

TEST(EchoServerCli, HelpListsEveryModel) {
    Process help("echo-server", {"--help"});
    ASSERT_EQ(help.wait(std::chrono::seconds(5)), 0);
    for (const char* model : {"blocking", "lines", "naive-multi", "threaded", "socketserver",
                              "busy", "select", "poll", "epoll", "epoll-et", "selectors"}) {
        EXPECT_NE(help.out().find(std::string("  ") + model + " "), std::string::npos) << model;
    }
}

TEST(EchoServerCli, RefusesAnUnknownModel) {
    Process server("echo-server", {"--model", "nope", "--port", "0"});
    const auto code = server.wait(std::chrono::seconds(5));
    ASSERT_TRUE(code);
    EXPECT_NE(*code, 0);
    EXPECT_EQ(server.out().find("Listening"), std::string::npos);
}

TEST(EchoServerCli, ReportsAPortInUse) {
    EchoServer first("epoll");
    Process second("echo-server", {"--model", "epoll", "--port", std::to_string(first.port)});
    EXPECT_EQ(second.wait(std::chrono::seconds(5)), 1);
    EXPECT_NE(second.err().find("Address already in use"), std::string::npos) << second.err();
    EXPECT_EQ(first.stop(), 0);
}

}  // namespace
}  // namespace tulip::testing
