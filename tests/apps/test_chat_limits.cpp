// chat-server's limits and lifetime, both --impl values: a client that stops
// reading is dropped once its queue passes --max-queue while the others carry
// on; `quit` on stdin, SIGINT and SIGTERM each stop the server with exit 0 and
// every client sees EOF; an idle server does not spin (the seed's warning about
// an always-on EVENT_WRITE).
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "test_chat_support.hpp"

namespace tulip::testing {
namespace {

// user + system CPU time of `pid` so far, in seconds (/proc/<pid>/stat fields 14 and 15).
double cpu_seconds(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // the name may hold spaces
    std::string field;
    long ticks = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index >= 14) ticks += std::stol(field);
    }
    return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

class ChatLimits : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatLimits, AClientThatStopsReadingIsDroppedWhileTheOthersCarryOn) {
    constexpr std::size_t bound = 64 * 1024;
    ChatServer server(GetParam(), {"--max-queue", std::to_string(bound), "--quiet"});
    ChatClient a(server), b(server);
    ChatClient stalled(server, /*rcvbuf=*/4096);  // and it never reads

    const std::string body(16 * 1024, 'm');
    const std::string dropped_line = stalled.name + " left (too slow";
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    std::size_t sent = 0;
    bool dropped = false;
    while (!dropped && std::chrono::steady_clock::now() < deadline) {
        a.send(body + "\n");
        sent += body.size();
        for (ChatClient* reader : {&a, &b}) {  // the readers get every message, promptly
            const Received r = reader->read_message();
            ASSERT_EQ(r.sender, a.name);
            ASSERT_EQ(r.text.size(), body.size());
        }
        dropped = server.process.out().find(dropped_line) != std::string::npos;
    }
    ASSERT_TRUE(dropped) << "not dropped after " << sent << " bytes:\n" << server.process.out();
    RecordProperty("bytes_sent_before_drop", std::to_string(sent));
    EXPECT_GT(sent, bound);  // its queue filled first: no one is dropped for a moment's lag

    a.send("after the drop\n");
    for (ChatClient* reader : {&a, &b}) expect_message(reader->read_message(), a, "after the drop");
    EXPECT_TRUE(stalled.sees_eof());
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

TEST_P(ChatLimits, AnIdleServerDoesNotSpin) {
    ChatServer server(GetParam());
    ChatClient a(server);
    a.send("hi\n");  // its queue was used (EVENT_WRITE wanted) and is empty again
    expect_message(a.read_message(), a, "hi");
    std::this_thread::sleep_for(50ms);
    const double before = cpu_seconds(server.process.pid());
    std::this_thread::sleep_for(1s);
    const double used = cpu_seconds(server.process.pid()) - before;
    EXPECT_LT(used, 0.1) << "the server used " << used << " s of CPU in 1 s with an idle client";
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

INSTANTIATE_TEST_SUITE_P(Impl, ChatLimits, ::testing::ValuesIn(chat_impls));

// How the server is stopped: "stdin" (the command quit), "SIGINT" or "SIGTERM".
class ChatStop : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(ChatStop, ExitsZeroAndEveryClientSeesEof) {
    const auto& [impl, how] = GetParam();
    ChatServer server(impl);
    ChatClient a(server), b(server), c(server);
    a.send("before the end\n");
    for (ChatClient* reader : {&a, &b, &c}) expect_message(reader->read_message(), a, "before the end");

    int code = -1;
    if (how == "stdin") {
        server.process.write_stdin("  \nhelp\n");  // not a command: the server goes on
        ASSERT_TRUE(server.logged("Commands: quit"));
        b.send("still on\n");
        expect_message(a.read_message(), b, "still on");
        server.process.write_stdin(" quit \n");  // stripped, as the seed's input().strip()
        code = server.wait_exit();
    } else {
        code = server.wait_exit(how == "SIGINT" ? SIGINT : SIGTERM);
    }
    EXPECT_EQ(code, 0) << server.process.err();
    for (ChatClient* client : {&a, &b, &c}) {
        EXPECT_TRUE(client->sees_eof()) << client->name;
        EXPECT_NE(server.process.out().find(client->name + " left (server stopping)"), std::string::npos);
    }
    EXPECT_NE(server.process.out().find("Server stopped"), std::string::npos) << server.process.out();
}

std::string stop_name(const ::testing::TestParamInfo<std::tuple<std::string, std::string>>& info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

INSTANTIATE_TEST_SUITE_P(ImplAndWay, ChatStop,
                         ::testing::Combine(::testing::ValuesIn(chat_impls),
                                            ::testing::Values("stdin", "SIGINT", "SIGTERM")),
                         stop_name);

}  // namespace
}  // namespace tulip::testing
