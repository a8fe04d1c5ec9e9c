// poetry/server: what every poetry-server style is given and shares: the
// options, the poem, the listening socket, the "Serving FILE on port N." line,
// and the end of a delivery.
//
// How a delivery ends, in every style: after the last chunk (and the seed's one
// more --delay) the server half-closes (shutdown(SHUT_WR): the client reads
// EOF), reads and drops what the client still sends until the client closes,
// and only then closes its socket. Closing at once, as the seed does, would
// answer a client's late `poems` request with a RST, which can reach the
// client as ECONNRESET instead of EOF. The wait is bounded by `linger`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/stop_signal.hpp"
#include "poetry/options.hpp"
#include "tulip/net/address.hpp"
#include "tulip/net/socket.hpp"

namespace poetry {

struct Server {
    const ServerOptions& options;
    const std::string& poem;
    tulip::Socket& listener;  // bound, listening and blocking; a style may change that
    // SIGINT/SIGTERM for the styles without an event loop (blocking, selectors);
    // the loop styles use loop.add_signal_handler instead and get nullptr.
    examples::StopSignal* stop = nullptr;

    // "Serving FILE on port N.", flushed. Each style says it once it can stop
    // on SIGINT/SIGTERM, so that a signal right after the line ends it cleanly.
    void announce() const;
};

// How long a finished delivery waits for the client to close (seconds).
inline constexpr double linger = 1.0;

// socket(), SO_REUSEADDR, bind((iface, port or 0)), listen(100), as the seed.
// A name such as "localhost" is resolved, IPv4 first (the clients' default host).
tulip::Socket open_listener(const ServerOptions& options);

// "Somebody at ('127.0.0.1', 5555) wants poetry!", the seed's line.
void greet(const tulip::Address& address);

// For the styles that serve non-blocking sockets (selectors, loop):
// examples::accept_client(listener, stop) (common/accept.hpp: nullopt when
// nobody waits, after a per-connection error, or once the stop shut the
// listener down), then greet and the client's socket made non-blocking.
std::optional<tulip::Socket> accept_nonblocking(const Server& server);

// "some error, sending stopped (WHY)", the seed's line when a delivery breaks off.
void say_sending_stopped(std::string_view why);

// Reads and drops what a non-blocking client sent (its `poems` requests, which
// the streaming styles do not need). False once the client has closed.
bool discard_input(tulip::Socket& sock);

// The styles (server_<style>.cpp). Each serves until SIGINT or SIGTERM, then
// closes every socket and returns.
void serve_blocking(Server& server);
void serve_selectors(Server& server);
void serve_loop(Server& server);
void serve_protocol(Server& server);

}  // namespace poetry
