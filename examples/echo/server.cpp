#include "echo/server.hpp"

#include <fmt/format.h>
#include <netdb.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <span>
#include <thread>

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

// accept(2): these errors concern the connection being accepted (or are
// momentary), and "should be treated like EAGAIN by retrying".
bool is_per_connection_error(int err) {
    constexpr int errors[] = {ECONNABORTED, EPROTO,       EPERM,      ENOBUFS,     ENOMEM,
                              EMFILE,       ENFILE,       ENETDOWN,   ENOPROTOOPT, EHOSTDOWN,
                              ENONET,       EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH};
    return std::find(std::begin(errors), std::end(errors), err) != std::end(errors);
}

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

std::optional<Accepted> accept_client(tulip::Socket& listener) {
    try {
        auto [conn, address] = listener.accept();
        return Accepted{std::move(conn), address};
    } catch (const tulip::BlockingIOError&) {
        return std::nullopt;
    } catch (const tulip::OSError& e) {
        if (!is_per_connection_error(e.errno_value())) throw;
        std::fprintf(stderr, "accept failed: %s; carrying on\n", e.what());
        if (e.errno_value() == EMFILE || e.errno_value() == ENFILE) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return std::nullopt;
    }
}

std::optional<Accepted> accept_until_stop(Server& server) {
    while (!server.stop.stop_requested()) {
        try {
            if (auto accepted = accept_client(server.listener)) return accepted;
        } catch (const tulip::OSError&) {
            if (server.stop.stop_requested()) break;  // the stop shut the listener down
            throw;
        }
    }
    return std::nullopt;
}

}  // namespace echo
