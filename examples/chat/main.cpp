// chat-server: seed 002's exercise, a group chat. Every line a client sends is
// broadcast to every client (the sender too) as
//   "{%Y/%m/%d %H:%M:%S} {ip}:{port}\n{line}\n"
// A line "quit", or EOF, disconnects that client; "quit" on the server's stdin,
// Ctrl-C or SIGTERM stops the server and disconnects everyone. Two
// implementations, one behaviour: --impl selectors (the seed's own, on
// tulip::DefaultSelector) and --impl coroutine (tulip's event loop and streams).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "chat/servers.hpp"

int main(int argc, char** argv) {
    chat::Options options;
    CLI::App app{"Group chat server (seed 002's ChatServer): every line goes to every client."};
    app.footer(
        "Implementations:\n"
        "  selectors  DefaultSelector, callbacks in key.data, a queue per client,\n"
        "             EVENT_WRITE only while that queue holds something\n"
        "  coroutine  tulip's event loop: start_server, readline, a writer task per client\n"
        "Prints 'Listening on HOST:PORT' when ready. Type quit (or Ctrl-C, SIGTERM) to stop.\n"
        "Clients: nc HOST PORT; a line quit (or EOF) leaves.");
    const std::vector<std::string> impls = {"selectors", "coroutine"};
    app.add_option("--impl", options.impl, "Which server to run")->check(CLI::IsMember(impls))->capture_default_str();
    app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
    app.add_option("--port", options.port, "Port to listen on; 0 picks a free one")->capture_default_str();
    app.add_option("--max-line", options.max_line, "Longest line accepted (bytes); a longer one disconnects its sender")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
        ->capture_default_str();
    app.add_option("--max-queue", options.max_queue,
                   "Bytes that may wait for one client; past that it is dropped as too slow")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
        ->capture_default_str();
    app.add_flag("--quiet", options.quiet, "Do not log every message (joins and leaves still are)");
    CLI11_PARSE(app, argc, argv);

    try {
        return options.impl == "selectors" ? chat::serve_selectors(options) : chat::serve_coroutine(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "chat-server: %s\n", e.what());
        return 1;
    }
}
