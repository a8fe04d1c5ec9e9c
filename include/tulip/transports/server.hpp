// transports/server: Server, what loop.create_server returns (asyncio.Server):
// the listening sockets, the accept loop, and the connections they made.
// Loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "tulip/coro/ref.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/transports/protocols.hpp"

namespace tulip {

class ServerState;

// Makes the protocol for each new connection (Python's protocol_factory).
using ProtocolFactory = EventLoop::ProtocolFactory;

class Server {
public:
    Server() = default;
    explicit Server(Ref<ServerState> state) noexcept;
    ~Server();
    Server(const Server&);
    Server& operator=(const Server&);
    Server(Server&&) noexcept;
    Server& operator=(Server&&) noexcept;

    // Stops listening: the listening sockets close; live connections go on.
    void close();
    void close_clients();  // close() every connection this server made
    void abort_clients();  // abort() every connection this server made
    void start_serving();  // idempotent
    bool is_serving() const noexcept;
    // The listening sockets (empty once closed).
    const std::vector<Socket>& sockets() const noexcept;
    EventLoop& get_loop() const noexcept;
    // Waits until the server is closed and every connection it made is gone.
    Coro<void> wait_closed();
    // Serves until the awaiting task is cancelled; then closes the server.
    Coro<void> serve_forever();

private:
    Ref<ServerState> state_;
};

}  // namespace tulip
