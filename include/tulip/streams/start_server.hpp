// streams/start_server: asyncio.start_server and start_unix_server — a server
// that runs `client_connected(reader, writer)` as a task for each connection.
// The task lives until its coroutine ends; when it ends, the writer it held is
// dropped, which closes the connection unless something else still holds one.
// If it raises, the error goes to the loop's exception handler ("Unhandled
// exception in client_connected_cb") and the connection is closed; if it is
// cancelled, the connection is closed. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tulip/coro/coro.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/streams/stream_protocol.hpp"
#include "tulip/transports/server.hpp"

namespace tulip {

// Listens on every address `host` resolves to ("" = every interface); port 0
// picks a free port (read it back from server.sockets()).
Coro<Server> start_server(ClientConnectedCallback client_connected, std::string host, std::uint16_t port,
                          std::size_t limit = StreamReader::default_limit, ServerOptions options = {});
Coro<Server> start_unix_server(ClientConnectedCallback client_connected, std::string path,
                               std::size_t limit = StreamReader::default_limit, ServerOptions options = {});

}  // namespace tulip
