// start_server / start_unix_server: a StreamReaderProtocol per connection over
// loop.create_server. The callback is shared by every connection, not copied.
#include "tulip/streams/start_server.hpp"

#include <memory>

#include "tulip/errors.hpp"

namespace tulip {

namespace {

EventLoop::ProtocolFactory server_factory(ClientConnectedCallback client_connected, std::size_t limit) {
    if (!client_connected) throw ValueError("start_server needs a client_connected callback");
    if (limit == 0) throw ValueError("Limit cannot be <= 0");
    auto shared = std::make_shared<const ClientConnectedCallback>(std::move(client_connected));
    return [shared, limit] { return std::make_unique<StreamReaderProtocol>(StreamReader(limit), shared); };
}

}  // namespace

Coro<Server> start_server(ClientConnectedCallback client_connected, std::string host, std::uint16_t port,
                          std::size_t limit, ServerOptions options) {
    EventLoop::ProtocolFactory factory = server_factory(std::move(client_connected), limit);
    co_return co_await get_running_loop().create_server(std::move(factory), std::move(host), port, options);
}

Coro<Server> start_unix_server(ClientConnectedCallback client_connected, std::string path, std::size_t limit,
                               ServerOptions options) {
    EventLoop::ProtocolFactory factory = server_factory(std::move(client_connected), limit);
    co_return co_await get_running_loop().create_unix_server(std::move(factory), std::move(path), options);
}

}  // namespace tulip
