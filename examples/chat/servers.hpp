// chat/servers: the two chat servers behind `chat-server --impl`. Each listens,
// prints "Listening on HOST:PORT", serves until `quit` on stdin, SIGINT or
// SIGTERM, then disconnects every client and returns the exit code.
#pragma once

#include "chat/chat.hpp"

namespace chat {

// Seed 002's advanced ChatServer: a DefaultSelector, callbacks in key.data, one
// outgoing queue per client, EVENT_WRITE only while that queue holds something.
int serve_selectors(const Options& options);

// The same room on tulip's event loop: streams (start_server, readline-style
// reads, write/drain), a reading task and a writing task per client.
int serve_coroutine(const Options& options);

}  // namespace chat
