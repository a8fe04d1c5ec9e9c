// signal-cancel: seed 001 listing 3.9 ("添加一个信号处理程序以取消所有任务")
// and the end of seed 000: loop.add_signal_handler(SIGINT, cancel_tasks), where
// cancel_tasks prints "Got a SIGINT!" and "Cancelling N task(s).", then cancels
// every task asyncio.all_tasks() returns. By default main serves echo-server's
// coroutine model (s12: listen_for_connection + one echo task per client), so
// N is 1 (main) + the connected clients; --delay S runs the listing itself, a
// main that awaits delay(S) and nothing else (N is 1).
//
// The seed shows CancelledError coming out of asyncio.run(main()) as a
// traceback; here it is one line, "main() was cancelled", and exit status 0.
// SIGTERM does the same as SIGINT (the seed listens for SIGINT only).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>

#include "echo/loop_models.hpp"
#include "echo/voice.hpp"

namespace {

using echo::say;

void cancel_tasks(int sig) {
    say(fmt::format("Got a {}!", echo::signal_name(sig)));
    const std::vector<tulip::TaskBase*> tasks = tulip::all_tasks();
    say(fmt::format("Cancelling {} task(s).", tasks.size()));
    for (tulip::TaskBase* task : tasks) task->cancel_task({});
}

// The book's util.delay_functions.delay.
tulip::Coro<double> delay(double seconds) {
    say(fmt::format("sleeping for {} second(s)", seconds));
    co_await tulip::sleep(seconds);
    say(fmt::format("finished sleeping for {} second(s)", seconds));
    co_return seconds;
}

tulip::Coro<void> main_coroutine(const echo::LoopServer& server, std::optional<double> delay_seconds) {
    tulip::EventLoop& loop = tulip::get_running_loop();
    const echo::StopSignals signals(loop, cancel_tasks);
    if (delay_seconds) {
        co_await delay(*delay_seconds);
        co_return;
    }
    tulip::Socket server_socket = echo::open_loop_listener(server.options);
    co_await echo::listen_for_connection(server_socket, loop, server);
}

}  // namespace

int main(int argc, char** argv) {
    echo::Options options;
    echo::LoopOptions loop_options;
    std::optional<double> delay_seconds;
    CLI::App app{
        "signal-cancel: seed 001 listing 3.9. On SIGINT (or SIGTERM) every task is cancelled "
        "(asyncio.all_tasks()). By default an echo server (echo-server --model coroutine)."};
    app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
    app.add_option("--port", options.port, "Port to listen on; 0 picks a free one")->capture_default_str();
    app.add_flag("--plain", options.plain, "Pure byte echo, nothing printed per connection");
    app.add_option("--delay", delay_seconds, "Run the listing itself: main awaits delay(SECONDS), no server")
        ->check(CLI::NonNegativeNumber);
    CLI11_PARSE(app, argc, argv);

    const echo::LoopServer server{options, loop_options};
    try {
        tulip::run(main_coroutine(server, delay_seconds));
    } catch (const tulip::CancelledError&) {
        say("main() was cancelled");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "signal-cancel: %s\n", e.what());
        return 1;
    }
    return 0;
}
