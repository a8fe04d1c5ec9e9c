// echo-server: the seed programs that come before the event loop, one model
// per step of the seeds' path (blocking -> threads -> non-blocking -> select ->
// poll -> epoll -> selectors). Every model prints "Listening on HOST:PORT" when
// ready and stops cleanly (exit 0, every socket closed) on SIGINT or SIGTERM.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/stop_signal.hpp"
#include "echo/models.hpp"
#include "echo/server.hpp"

namespace {

struct Model {
    std::string_view name;
    void (*serve)(echo::Server&);
    std::string_view summary;
};

constexpr Model models[] = {
    {"blocking", echo::serve_blocking, "s01 seed 000: blocking socket, one client at a time"},
    {"lines", echo::serve_lines, "s02 seed 001 3.2: recv(2) until \\r\\n, telnet-friendly"},
    {"naive-multi", echo::serve_naive_multi, "s03 seed 001 3.3: many clients, blocking each other"},
    {"threaded", echo::serve_threaded, "s04 seed 000: a thread per connection"},
    {"socketserver", echo::serve_socketserver, "s05 seed 000: ThreadingTCPServer + handler"},
    {"busy", echo::serve_busy, "s06 seed 001 3.4-3.6: non-blocking busy loop (100 % CPU)"},
    {"select", echo::serve_select, "s07 seeds 004/000: select(2), message queues"},
    {"poll", echo::serve_poll, "s08 seed 004: poll(2), READ_ONLY/READ_WRITE, 0.5 s timeout"},
    {"epoll", echo::serve_epoll, "s09 seed 000: epoll(7), level-triggered"},
    {"epoll-et", echo::serve_epoll_et, "s09 seed 000: epoll(7), edge-triggered"},
    {"selectors", echo::serve_selectors, "s11 seeds 001 3.7/000: DefaultSelector, callbacks"},
};

const Model& find_model(std::string_view name) {
    return *std::find_if(std::begin(models), std::end(models),
                         [&](const Model& m) { return m.name == name; });
}

}  // namespace

int main(int argc, char** argv) {
    examples::StopSignal stop;  // first: signals are blocked before any other thread starts

    echo::Options options;
    CLI::App app{"Echo server: the seed programs before the event loop, one --model each."};
    std::vector<std::string> names;
    std::string footer = "Models:\n";
    for (const Model& m : models) {
        names.emplace_back(m.name);
        footer += fmt::format("  {:<13} {}\n", m.name, m.summary);
    }
    footer += "Each prints 'Listening on HOST:PORT' when ready; Ctrl-C or SIGTERM stops it.";
    app.footer(footer);
    app.add_option("--model", options.model, "Which server to run (see Models)")
        ->required()
        ->check(CLI::IsMember(names));
    app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
    app.add_option("--port", options.port, "Port to listen on; 0 picks a free one")
        ->capture_default_str();
    app.add_flag("--plain", options.plain,
                 "Pure byte echo: no reply decorations, no per-message output");
    CLI11_PARSE(app, argc, argv);

    try {
        tulip::Socket listener = echo::open_listener(options);
        const examples::StopSignal::Watch watch(stop, listener.fileno());
        echo::announce(listener);
        echo::Server server{options, listener, stop};
        find_model(options.model).serve(server);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "echo-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
