// echo-server: the seeds' echo servers, one model per step of their path
// (blocking -> threads -> non-blocking -> select -> poll -> epoll -> selectors
// -> the event loop's coroutines -> transports -> streams). Every model prints
// "Listening on HOST:PORT" when ready and stops cleanly (exit 0, every socket
// closed) on SIGINT or SIGTERM: the models before the event loop through
// examples::StopSignal (a sigwait thread), the loop models through
// loop.add_signal_handler (echo/loop_server.hpp). One or the other per process:
// StopSignal blocks the signals, which the loop's handlers must receive.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/stop_signal.hpp"
#include "echo/loop_models.hpp"
#include "echo/models.hpp"
#include "echo/server.hpp"

namespace {

// A model serves either before the event loop (serve) or on it (serve_loop).
struct Model {
    std::string_view name;
    void (*serve)(echo::Server&);
    void (*serve_loop)(const echo::LoopServer&);
    std::string_view summary;
};

constexpr Model before_loop(std::string_view name, void (*serve)(echo::Server&),
                            std::string_view summary) {
    return {name, serve, nullptr, summary};
}
constexpr Model on_loop(std::string_view name, void (*serve)(const echo::LoopServer&),
                        std::string_view summary) {
    return {name, nullptr, serve, summary};
}

constexpr Model models[] = {
    before_loop("blocking", echo::serve_blocking, "s01 seed 000: blocking socket, one client at a time"),
    before_loop("lines", echo::serve_lines, "s02 seed 001 3.2: recv(2) until \\r\\n, telnet-friendly"),
    before_loop("naive-multi", echo::serve_naive_multi, "s03 seed 001 3.3: many clients, blocking each other"),
    before_loop("threaded", echo::serve_threaded, "s04 seed 000: a thread per connection"),
    before_loop("socketserver", echo::serve_socketserver, "s05 seed 000: ThreadingTCPServer + handler"),
    before_loop("busy", echo::serve_busy, "s06 seed 001 3.4-3.6: non-blocking busy loop (100 % CPU)"),
    before_loop("select", echo::serve_select, "s07 seeds 004/000: select(2), message queues"),
    before_loop("poll", echo::serve_poll, "s08 seed 004: poll(2), READ_ONLY/READ_WRITE, 0.5 s timeout"),
    before_loop("epoll", echo::serve_epoll, "s09 seed 000: epoll(7), level-triggered"),
    before_loop("epoll-et", echo::serve_epoll_et, "s09 seed 000: epoll(7), edge-triggered"),
    before_loop("selectors", echo::serve_selectors, "s11 seeds 001 3.7/000: DefaultSelector, callbacks"),
    on_loop("coroutine", echo::serve_coroutine, "s12 seeds 001 3.8/000: sock_accept + a task per client"),
    on_loop("coroutine-boom", echo::serve_coroutine_boom, "s13 seed 001 3.5.3: \"boom\\r\\n\" raises in echo()"),
    on_loop("graceful", echo::serve_graceful, "s14 seed 001 3.10: stop accepting, --grace, cancel"),
    on_loop("protocol", echo::serve_protocol, "s15: asyncio.Protocol + loop.create_server"),
    on_loop("streams", echo::serve_streams, "s16: start_server, StreamReader/StreamWriter"),
};

const Model& find_model(std::string_view name) {
    return *std::find_if(std::begin(models), std::end(models),
                         [&](const Model& m) { return m.name == name; });
}

// The models before the loop: a blocking listener, stopped by StopSignal.
void serve_before_loop(const Model& model, const echo::Options& options) {
    examples::StopSignal stop;  // first: signals are blocked before any other thread starts
    tulip::Socket listener = echo::open_listener(options);
    const examples::StopSignal::Watch watch(stop, listener.fileno());
    echo::announce(listener);
    echo::Server server{options, listener, stop};
    model.serve(server);
}

}  // namespace

int main(int argc, char** argv) {
    echo::Options options;
    echo::LoopOptions loop_options;
    CLI::App app{"Echo server: the seeds' echo servers, one --model each."};
    std::vector<std::string> names;
    std::string footer = "Models:\n";
    for (const Model& m : models) {
        names.emplace_back(m.name);
        footer += fmt::format("  {:<15} {}\n", m.name, m.summary);
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
    app.add_option("--seed", loop_options.seed,
                   "coroutine: whose server: 001 (listing 3.8) or 000 (replies data + \"~\")")
        ->check(CLI::IsMember({"000", "001"}))
        ->capture_default_str();
    app.add_flag("--unhandled", loop_options.unhandled,
                 "coroutine-boom, graceful: no try/except in echo(), so a failed task is "
                 "reported by the loop (\"Task exception was never retrieved\") or at shutdown");
    app.add_option("--grace", loop_options.grace,
                   "graceful: seconds the echo tasks get to finish after a stop signal")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        const Model& model = find_model(options.model);
        if (model.serve_loop) {
            model.serve_loop(echo::LoopServer{options, loop_options});
        } else {
            serve_before_loop(model, options);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "echo-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
