// echo/loop_models: the echo-server models on tulip's event loop, numbered on
// from models.hpp along seed 001 chapter 3 (listings 3.8-3.10) and then up the
// library's layers (transports, streams). Each opens its own listener, serves
// until SIGINT or SIGTERM, closes everything it opened and returns.
#pragma once

#include "echo/loop_server.hpp"

namespace echo {

void serve_coroutine(const LoopServer& server);       // s12: 001 listing 3.8, 000's asyncio server
void serve_coroutine_boom(const LoopServer& server);  // s13: 001 section 3.5.3, "boom\r\n"
void serve_graceful(const LoopServer& server);        // s14: 001 listing 3.10, its flaws fixed
void serve_protocol(const LoopServer& server);        // s15: asyncio.Protocol + loop.create_server
void serve_streams(const LoopServer& server);         // s16: tulip::start_server, StreamReader/Writer

// Listing 3.8's coroutines, which signal-cancel (listing 3.9) serves with too.
// echo(): `while data := await loop.sock_recv(connection, 1024): await
// loop.sock_sendall(connection, data)`, plus "~" for seed 000.
tulip::Coro<void> echo(tulip::Socket connection, tulip::EventLoop& loop, const LoopServer& server);
// Accepts forever; one echo() task per connection, not kept (the loop keeps it).
tulip::Coro<void> listen_for_connection(tulip::Socket& server_socket, tulip::EventLoop& loop, const LoopServer& server);

// Section 3.5.3's echo(), which listing 3.10 reuses: "boom\r\n" raises
// RuntimeError("Unexpected network error"). Unless `unhandled`, any exception
// is logged ("ERROR:root:...") inside the task, as the seed's try/except does.
// The connection is closed either way when the coroutine ends (its finally).
tulip::Coro<void> echo_boom(Accepted client, tulip::EventLoop& loop, const LoopServer& server);

}  // namespace echo
