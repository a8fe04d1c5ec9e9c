// echo/server: what every echo-server model is given and shares: the options,
// the listening socket, the stop signal, and waiting for a client until a stop.
// Each model is a function `void serve(Server&)` (models.hpp) that returns once
// a stop was requested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/accept.hpp"
#include "common/stop_signal.hpp"
#include "tulip/net/address.hpp"
#include "tulip/net/socket.hpp"

namespace echo {

struct Options {
    std::string model;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;  // 0: the kernel picks a free one
    bool plain = false;         // pure byte echo, nothing printed per message
};

struct Server {
    const Options& options;
    tulip::Socket& listener;  // bound, listening and blocking; the model may change that
    examples::StopSignal& stop;
};

// socket(), SO_REUSEADDR, bind() and listen(), as every seed server starts.
tulip::Socket open_listener(const Options& options);
// "Listening on 127.0.0.1:PORT" (the real port) and a hint how to connect, flushed.
void announce(const tulip::Socket& listener);

// How many bytes one recv() asks for: the seed's size, or 64 KiB with --plain,
// where throughput matters more than showing how data arrives in pieces.
std::size_t recv_size(const Options& options, std::size_t seed_size);

// sock.recv(bufsize) into a buffer the calling thread reuses: the view is
// valid until this thread's next call; "" at EOF. Socket::recv allocates and
// zero-fills `bufsize` bytes per call, which --plain's 64 KiB reads would pay
// on every message.
std::string_view recv_reusing(tulip::Socket& sock, std::size_t bufsize);

// A client and its address (common/accept.hpp): what the models accept; for
// one accept(), the models call examples::accept_client(listener, &stop).
using Accepted = examples::Accepted;

// The blocking models' accept: waits for the next client; nullopt once a stop is requested.
std::optional<Accepted> accept_until_stop(Server& server);

}  // namespace echo
