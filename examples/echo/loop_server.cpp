#include "echo/loop_server.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <utility>

#include "common/pyrepr.hpp"
#include "echo/voice.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/accept_errors.hpp"
#include "tulip/transports/server.hpp"

namespace echo {
namespace {

// The task run_until_signal() runs: main inside, the handlers around it. A
// handler cancels this task, the one suspended in `co_await main`, as asyncio.run
// cancels its main task on Ctrl-C; the cancellation then unwinds main.
tulip::Coro<void> cancelled_by_signals(tulip::Coro<void> body, int& received) {
    tulip::TaskBase* self = tulip::current_task();
    const StopSignals signals(tulip::get_running_loop(), [self, &received](int sig) {
        if (received != 0) return;  // a second signal while main unwinds: nothing more to do
        received = sig;
        self->cancel_task({});
    });
    try {
        co_await std::move(body);
    } catch (const tulip::CancelledError&) {
        if (received == 0) throw;  // not ours: let run() report it
    }
}

}  // namespace

const char* signal_name(int sig) noexcept {
    switch (sig) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        default:
            return "a signal";
    }
}

StopSignals::StopSignals(tulip::EventLoop& loop, std::function<void(int)> on_signal)
    : loop_(loop), on_signal_(std::move(on_signal)) {
    for (const int sig : {SIGINT, SIGTERM}) {
        loop_.add_signal_handler(sig, [this, sig] { on_signal_(sig); });
    }
}

StopSignals::~StopSignals() {
    for (const int sig : {SIGINT, SIGTERM}) loop_.remove_signal_handler(sig);
}

int run_until_signal(tulip::Coro<void> body) {
    int received = 0;
    tulip::run(cancelled_by_signals(std::move(body), received));
    return received;
}

tulip::Socket open_loop_listener(const Options& options) {
    tulip::Socket server_socket = open_listener(options);
    server_socket.setblocking(false);  // the loop's sock_* coroutines require it
    announce(server_socket);
    return server_socket;
}

void say_connected(const LoopServer& server, const tulip::Address& peer) {
    if (server.plain()) return;
    const std::string address = examples::address_repr(peer);
    say(server.loop_options.seed == "000" ? fmt::format("收到客户端 {} 的连接", address)
                                          : fmt::format("Got a connection from {}", address));
}

void say_failed(const tulip::Address& peer, const std::exception_ptr& error) {
    const std::string text =
        fmt::format("connection {} failed: {}\n", examples::address_repr(peer), tulip::describe_exception(error));
    std::fputs(text.c_str(), stderr);
}

tulip::Coro<Accepted> accept_connection(tulip::EventLoop& loop, tulip::Socket& server_socket,
                                        const LoopServer& server) {
    for (;;) {
        try {
            auto accepted = co_await loop.sock_accept(server_socket);
            Accepted client{std::move(accepted.first), accepted.second};
            say_connected(server, client.address);
            co_return client;
        } catch (const tulip::OSError& e) {
            if (!tulip::accept_error_is_transient(e.errno_value())) throw;
            examples::report_accept_error(e);
            if (!tulip::accept_error_is_shortage(e.errno_value())) continue;
        }
        co_await tulip::sleep(0.01);  // out of descriptors: give others a moment to close theirs
    }
}

tulip::Coro<void> serve_until_signal(tulip::Server server) {
    tulip::Event stop;
    const StopSignals signals(tulip::get_running_loop(), [&stop](int) { stop.set(); });
    announce(server.sockets().front());
    co_await stop.wait();

    server.close();
    server.close_clients();
    bool closed = true;
    try {
        co_await tulip::wait_for(server.wait_closed(), 1.0);
    } catch (const tulip::TimeoutError&) {
        closed = false;  // no co_await inside a handler
    }
    if (!closed) {
        server.abort_clients();
        co_await server.wait_closed();
    }
}

}  // namespace echo
