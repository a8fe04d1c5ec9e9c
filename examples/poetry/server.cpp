#include "poetry/server.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <netdb.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>

#include "common/pyrepr.hpp"
#include "poetry/say.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/getaddrinfo.hpp"

namespace poetry {
namespace {

tulip::Address resolve(const ServerOptions& options) {
    try {
        return tulip::Address::ip(options.iface, options.port);  // numeric: no lookup
    } catch (const tulip::ValueError&) {
        const auto infos =
            tulip::getaddrinfo(options.iface, std::to_string(options.port), 0, SOCK_STREAM, 0, AI_PASSIVE);
        const auto v4 =
            std::find_if(infos.begin(), infos.end(), [](const tulip::AddrInfo& ai) { return ai.family == AF_INET; });
        return (v4 != infos.end() ? *v4 : infos.front()).address;  // getaddrinfo never answers nothing
    }
}

// accept(2): these concern the connection being accepted, or are momentary.
bool is_per_connection_error(int err) {
    constexpr int errors[] = {ECONNABORTED, EPROTO, EPERM, ENOBUFS, ENOMEM, EMFILE, ENFILE};
    return std::find(std::begin(errors), std::end(errors), err) != std::end(errors);
}

}  // namespace

void Server::announce() const {
    say(fmt::format("Serving {} on port {}.", options.poetry_file, listener.getsockname().port()));
}

tulip::Socket open_listener(const ServerOptions& options) {
    const tulip::Address address = resolve(options);
    tulip::Socket listener(address.family(), SOCK_STREAM);
    listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    listener.bind(address);
    listener.listen(100);
    return listener;
}

std::optional<std::pair<tulip::Socket, tulip::Address>> accept_client(tulip::Socket& listener) {
    try {
        return listener.accept();
    } catch (const tulip::BlockingIOError&) {
        return std::nullopt;
    } catch (const tulip::OSError& e) {
        // EINVAL: the stop signal shut the listener down (to wake a blocked wait)
        // after it was reported readable; the caller's loop sees the stop next.
        if (e.errno_value() == EINVAL) return std::nullopt;
        if (!is_per_connection_error(e.errno_value())) throw;
        std::fprintf(stderr, "accept failed: %s; carrying on\n", e.what());
        return std::nullopt;
    }
}

void greet(const tulip::Address& address) {
    say(fmt::format("Somebody at {} wants poetry!", examples::address_repr(address)));
}

std::optional<tulip::Socket> accept_nonblocking(tulip::Socket& listener) {
    auto accepted = accept_client(listener);
    if (!accepted) return std::nullopt;
    greet(accepted->second);
    accepted->first.setblocking(false);
    return std::move(accepted->first);
}

void say_sending_stopped(std::string_view why) {
    say(fmt::format("some error, sending stopped ({})", why));
}

bool discard_input(tulip::Socket& sock) {
    std::array<char, 512> buffer;
    try {
        // One read per call: a level-triggered watcher calls again while more waits.
        return sock.recv_into(buffer) != 0;
    } catch (const tulip::BlockingIOError&) {
        return true;
    }
}

}  // namespace poetry
