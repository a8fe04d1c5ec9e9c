// echo/blocking_echo: a conversation with one client over a blocking socket,
// the way the seeds' first servers hold it. Shared by the blocking, lines,
// naive-multi, threaded and socketserver models. Neither function throws: a
// reset or broken connection is said (Voice::failed) and ends the conversation,
// because one misbehaving client must never take the server down.
#pragma once

#include <cstddef>

#include "echo/line_buffer.hpp"
#include "echo/voice.hpp"
#include "tulip/net/socket.hpp"

namespace echo {

// Seed 000: recv(1024), say it, reply, until the client leaves.
void echo_connection(tulip::Socket& conn, const tulip::Address& peer, const Voice& voice,
                     std::size_t bufsize);

// Seed 001, listings 3.2 and 3.3: recv(2) until a whole "\r\n" line is in,
// then send the line back. Returns false once the client is gone.
bool echo_line(tulip::Socket& conn, const tulip::Address& peer, LineBuffer& lines,
               const Voice& voice, std::size_t bufsize);

}  // namespace echo
