// echo/connection: one client of a server that serves many from one thread
// (busy, select, poll, epoll, selectors): its non-blocking socket, its address
// and its queue of replies. The models differ in how they learn that a socket
// is ready; what they do then is this, once.
#pragma once

#include <cstddef>

#include "echo/line_buffer.hpp"
#include "echo/message_queue.hpp"
#include "echo/server.hpp"
#include "echo/voice.hpp"

namespace echo {

struct Connection {
    // Takes an accepted client, makes it non-blocking and says "connected".
    // `framed`: messages are seed 001's "\r\n" lines instead of whatever recv() returned.
    Connection(Accepted accepted, const Voice& voice, bool framed = false);

    // recv() once, or with `drain` (edge-triggered epoll) until the socket is
    // empty; says what came and queues the replies. Returns false when the
    // client is gone (EOF, reset: said) and the caller should close it.
    bool on_readable(std::size_t bufsize, bool drain = false);
    // Sends what the socket takes now. Returns false when the client is gone.
    bool on_writable();
    bool has_pending() const noexcept { return !queue.empty(); }
    int fileno() const noexcept { return sock.fileno(); }

    tulip::Socket sock;
    tulip::Address peer;
    MessageQueue queue;

private:
    bool at_eof();  // the last line, a last send, "disconnected"; returns false

    const Voice* voice_;
    bool framed_;
    LineBuffer lines_;
};

}  // namespace echo
