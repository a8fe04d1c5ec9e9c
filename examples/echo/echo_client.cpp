// echo-client: seed 000's interactive client ("接下来编写客户端"): prompt
// "请输入内容: ", send the line, print the reply; q, quit or exit (any case,
// surrounding blanks ignored) closes the socket and prints "Bye~~~". Works
// with any echo-server model; stdin may be a pipe.
//
// Not copied from the seed: an empty line is not sent (sending b'' sends
// nothing, and the seed then waits for a reply forever); the end of stdin
// quits like "quit" (the seed dies with EOFError); a server that closes the
// connection ends the client with a message instead of printing empty replies.
// --crlf ends each line with "\r\n", for the line-based models (lines,
// naive-multi, busy), which reply only to whole telnet lines.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <string>

#include "tulip/errors.hpp"
#include "tulip/net.hpp"

namespace {

bool is_quit(std::string line) {
    const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
    line.erase(line.begin(), std::find_if_not(line.begin(), line.end(), blank));
    line.erase(std::find_if_not(line.rbegin(), line.rend(), blank).base(), line.end());
    std::transform(line.begin(), line.end(), line.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return line == "q" || line == "quit" || line == "exit";
}

void print_flush(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    bool crlf = false;
    CLI::App app{"Seed 000's interactive echo client: type lines; q, quit or exit leaves."};
    app.add_option("--host", host, "Server address")->capture_default_str();
    app.add_option("--port", port, "Server port")->capture_default_str();
    app.add_flag("--crlf", crlf, "End each line with \\r\\n (for the line-based models)");
    CLI11_PARSE(app, argc, argv);

    try {
        tulip::Socket client = tulip::create_connection(host, port);
        for (;;) {
            print_flush("请输入内容: ");
            std::string data;
            if (!std::getline(std::cin, data) || is_quit(data)) {
                client.close();
                print_flush("Bye~~~\n");
                return 0;
            }
            if (data.empty()) continue;
            client.sendall(crlf ? data + "\r\n" : data);
            const std::string reply = client.recv(64 * 1024);
            if (reply.empty()) {
                print_flush("\n服务端已经断开连接\n");
                return 1;
            }
            print_flush(reply + "\n");
        }
    } catch (const tulip::OSError& e) {
        std::fprintf(stderr, "\necho-client: %s\n", e.what());
        return 1;
    }
}
