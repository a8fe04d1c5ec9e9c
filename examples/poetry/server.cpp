#include "poetry/server.hpp"

#include <fmt/format.h>
#include <netdb.h>

#include <algorithm>
#include <array>

#include "common/accept.hpp"
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

void greet(const tulip::Address& address) {
    say(fmt::format("Somebody at {} wants poetry!", examples::address_repr(address)));
}

std::optional<tulip::Socket> accept_nonblocking(const Server& server) {
    auto accepted = examples::accept_client(server.listener, server.stop);
    if (!accepted) return std::nullopt;
    greet(accepted->address);
    accepted->conn.setblocking(false);
    return std::move(accepted->conn);
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
