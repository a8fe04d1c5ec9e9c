#include "echo/server.hpp"

#include <fmt/format.h>
#include <netdb.h>

#include <span>

#include "echo/voice.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/getaddrinfo.hpp"

namespace echo {
namespace {

tulip::Address resolve(const Options& options) {
    try {
        return tulip::Address::ip(options.host, options.port);  // numeric: no lookup
    } catch (const tulip::ValueError&) {
        const auto infos = tulip::getaddrinfo(options.host, std::to_string(options.port), 0,
                                              SOCK_STREAM, 0, AI_PASSIVE);
        return infos.front().address;  // getaddrinfo throws rather than answer nothing
    }
}

}  // namespace

tulip::Socket open_listener(const Options& options) {
    const tulip::Address address = resolve(options);
    tulip::Socket listener(address.family(), SOCK_STREAM);
    listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    listener.bind(address);
    listener.listen();
    return listener;
}

void announce(const tulip::Socket& listener) {
    const tulip::Address address = listener.getsockname();
    say(fmt::format("Listening on {}", address.to_string()));
    say(fmt::format("Connect with: nc {} {}", address.host(), address.port()));
}

std::size_t recv_size(const Options& options, std::size_t seed_size) {
    return options.plain ? 64 * 1024 : seed_size;
}

std::string_view recv_reusing(tulip::Socket& sock, std::size_t bufsize) {
    thread_local std::string buffer;
    if (buffer.size() < bufsize) buffer.resize(bufsize);
    const std::size_t n = sock.recv_into(std::span<char>(buffer.data(), bufsize));
    return {buffer.data(), n};
}

std::optional<Accepted> accept_until_stop(Server& server) {
    while (!server.stop.stop_requested()) {
        // nullopt: a per-connection error (try again), or the stop shut the listener down.
        if (auto accepted = examples::accept_client(server.listener, &server.stop)) return accepted;
    }
    return std::nullopt;
}

}  // namespace echo
