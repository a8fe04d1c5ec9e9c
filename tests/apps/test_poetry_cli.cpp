// The poetry programs' command lines: the "Serving FILE on port N." line,
// -p and --iface, --help, and bad arguments, each refused with a message that
// names it and a non-zero exit.
#include <fmt/format.h>
#include <sys/socket.h>

#include "test_poetry_support.hpp"
#include "tulip/net.hpp"

namespace tulip::testing::poetry {
namespace {

using std::chrono_literals::operator""s;

// A port the kernel just gave out and nobody listens on now.
std::uint16_t free_port() {
    Socket s(AF_INET, SOCK_STREAM);
    s.bind(Address::ipv4("127.0.0.1", 0));
    return s.getsockname().port();
}

TEST(PoetryServerCli, AnnouncesTheFileAndAFreePort) {
    for (const std::string& style : styles) {
        PoetryServer server(style, "hope.txt");
        EXPECT_EQ(server.announced_file, server.file) << style;
        EXPECT_NE(server.port, 0) << style;
        Socket client = create_connection("127.0.0.1", server.port, 5.0);  // it listens there
        client.close();
        EXPECT_EQ(server.stop(), 0) << style;
    }
}

TEST(PoetryServerCli, ListensOnTheGivenPortAndInterface) {
    const std::uint16_t port = free_port();
    PoetryServer server("loop", "daffodils.txt",
                        {"-p", std::to_string(port), "--iface", "localhost", "--delay", "0", "--num-bytes", "500"});
    EXPECT_EQ(server.port, port);
    TempDir dir;
    const ClientRun run = run_client("blocking", dir.path, {"127.0.0.1:" + std::to_string(port)});
    ASSERT_EQ(run.code, 0) << run.err;
    EXPECT_EQ(read_file(dir.path / (std::to_string(port) + ".txt")), read_file(server.file));
    EXPECT_EQ(server.stop(), 0);
}

TEST(PoetryCli, HelpExitsZero) {
    for (const char* program : {"poetry-server", "poetry-client"}) {
        Process p(program, {"--help"});
        EXPECT_EQ(p.wait(5s), 0) << program;
        EXPECT_NE(p.out().find("--style"), std::string::npos) << program << p.out();
    }
}

struct BadArgs {
    std::vector<std::string> args;
    std::string message;  // expected in stderr
};

void expect_refused(const char* program, const BadArgs& bad) {
    Process p(program, bad.args);
    const auto code = p.wait(5s);
    ASSERT_TRUE(code.has_value()) << program << " hung on " << fmt::format("{}", fmt::join(bad.args, " "));
    EXPECT_NE(*code, 0) << fmt::format("{}", fmt::join(bad.args, " "));
    EXPECT_NE(p.err().find(bad.message), std::string::npos)
        << fmt::format("{}", fmt::join(bad.args, " ")) << "\nstderr: " << p.err();
}

TEST(PoetryServerCli, RefusesBadArguments) {
    const std::string poem = poem_path("hope.txt");
    const BadArgs cases[] = {
        {{poem}, "--style is required"},
        {{"--style", "async", poem}, "async not in {blocking,selectors,loop,protocol}"},
        {{"--style", "loop"}, "poetry_file is required"},
        {{"--style", "loop", "/nonexistent/poem.txt"}, "File does not exist: /nonexistent/poem.txt"},
        {{"--style", "loop", "--num-bytes", "0", poem}, "--num-bytes: Value 0 not in range"},
        {{"--style", "loop", "--num-bytes", "many", poem}, "--num-bytes"},
        {{"--style", "loop", "--delay", "-1", poem}, "--delay: Value -1 not in range"},
        {{"--style", "loop", "-p", "70000", poem}, "--port: Value 70000 not in range"},
        // TEST-NET-1: a numeric address (no DNS) that no interface here has.
        {{"--style", "loop", "--iface", "192.0.2.1", poem}, "Cannot assign requested address"},
    };
    for (const BadArgs& bad : cases) expect_refused("poetry-server", bad);
}

TEST(PoetryClientCli, RefusesBadAddresses) {
    const BadArgs cases[] = {
        {{"10000"}, "--style is required"},
        {{"--style", "loop"}, "address is required"},
        {{"--style", "loop", "poetry"}, "Ports must be integers: 'poetry'"},
        {{"--style", "loop", "127.0.0.1:"}, "Ports must be integers: '127.0.0.1:'"},
        {{"--style", "loop", "127.0.0.1:80x"}, "Ports must be integers: '127.0.0.1:80x'"},
        {{"--style", "loop", ":10000"}, "No host before ':' in ':10000'"},
        {{"--style", "loop", "[::1]10000"}, "Expected [HOST]:PORT, got '[::1]10000'"},
        {{"--style", "loop", "99999"}, "Port out of range 1-65535: '99999'"},
        {{"--style", "loop", "0"}, "Port out of range 1-65535: '0'"},
        {{"--style", "loop", "--out-dir", "/nonexistent/dir", "10000"}, "/nonexistent/dir"},
    };
    for (const BadArgs& bad : cases) expect_refused("poetry-client", bad);
}

TEST(PoetryClientCli, ReportsARefusedConnectionAndGoesOn) {
    PoetryServer server("selectors", "hope.txt", {"--delay", "0", "--num-bytes", "100"});
    const std::string closed = std::to_string(free_port());
    const std::string open = std::to_string(server.port);
    for (const std::string& style : styles) {
        TempDir dir;
        const ClientRun run = run_client(style, dir.path, {closed, open});
        EXPECT_EQ(run.code, 1) << style;
        EXPECT_NE(
            run.err.find("Task 1: failed to get poetry from 127.0.0.1:" + closed + ": [Errno 111] Connection refused"),
            std::string::npos)
            << style << run.err;
        EXPECT_EQ(run.poems, 1) << style << run.out;  // the other server's poem still came
        EXPECT_EQ(read_file(dir.path / (open + ".txt")), read_file(server.file)) << style;
    }
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace tulip::testing::poetry
