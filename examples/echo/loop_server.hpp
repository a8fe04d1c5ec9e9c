// echo/loop_server: what the echo-server models on tulip's event loop share
// (s12-s16, and signal-cancel): their options, stopping on SIGINT/SIGTERM
// through loop.add_signal_handler, the seeds' listening socket, one accept, the
// lines they print, and stopping an asyncio.Server.
// The models before the loop (models.hpp) stop through examples::StopSignal
// instead; a process uses one or the other, never both.
#pragma once

#include <exception>
#include <functional>
#include <string>

#include "echo/server.hpp"
#include "tulip/coro.hpp"
#include "tulip/transports/server.hpp"

namespace echo {

// The loop models' own options, beside the shared echo::Options.
struct LoopOptions {
    std::string seed = "001";  // coroutine model: "000" replies data + "~" (seed 000's server)
    bool unhandled = false;    // coroutine-boom, graceful: no try/except in echo()
    double grace = 2.0;        // graceful: seconds the echo tasks get after a stop signal
};

struct LoopServer {
    const Options& options;
    const LoopOptions& loop_options;
    bool plain() const noexcept { return options.plain; }
};

// "SIGINT", "SIGTERM".
const char* signal_name(int sig) noexcept;

// Calls `on_signal(sig)` on the loop thread for SIGINT and SIGTERM while it
// lives (loop.add_signal_handler); removes both handlers when destroyed, which
// restores SIG_DFL. Loop thread only; the loop need not be running yet.
class StopSignals {
public:
    StopSignals(tulip::EventLoop& loop, std::function<void(int)> on_signal);
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    tulip::EventLoop& loop_;
    std::function<void(int)> on_signal_;
};

// asyncio.run(body) as the seeds use it, where Ctrl-C cancels the main task:
// SIGINT or SIGTERM cancels it, run() then cancels the tasks still pending
// (closing their sockets) and closes the loop. Returns the signal that stopped
// it, or 0 when main returned by itself. main's own exceptions propagate.
int run_until_signal(tulip::Coro<void> body);

// The seeds' main(): socket(), SO_REUSEADDR, setblocking(False), bind(),
// listen(); then "Listening on HOST:PORT" (announce()).
tulip::Socket open_loop_listener(const Options& options);

// "Got a connection from ('127.0.0.1', 5000)" (seed 001 listing 3.8; seed 000:
// "收到客户端 ('127.0.0.1', 5000) 的连接"), unless plain.
void say_connected(const LoopServer& server, const tulip::Address& peer);
// On stderr, always: "connection ('127.0.0.1', 5000) failed: ConnectionResetError: ...".
void say_failed(const tulip::Address& peer, const std::exception_ptr& error);

// `connection, address = await loop.sock_accept(server_socket)`: the connection
// is non-blocking already; say_connected() says so. A failure
// that concerns only the connection being accepted (ECONNABORTED, EMFILE...)
// is logged and accepting goes on (after 10 ms for EMFILE/ENFILE, not a spin).
tulip::Coro<Accepted> accept_connection(tulip::EventLoop& loop, tulip::Socket& server_socket, const LoopServer& server);

// For a listening asyncio.Server (create_server, start_server): announces its
// first socket, serves until SIGINT or SIGTERM, then stops as asyncio 3.13
// does: close() (no more connections), close_clients(), wait_closed(). Clients
// that are not gone within a second (one that never reads keeps its transport
// flushing) are aborted. A second signal meanwhile changes nothing.
tulip::Coro<void> serve_until_signal(tulip::Server server);

}  // namespace echo
