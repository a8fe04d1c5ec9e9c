// echo/message_queue: Python's message_queues[conn] in the multiplexing seeds:
// the replies waiting for the socket to become writable. Unlike the seeds'
// `conn.send(data)`, which drops whatever the kernel did not take, this keeps
// the unsent tail of a reply and sends it on the next writable event.
// Thread affinity: the thread that serves the connection.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

#include "tulip/net/socket.hpp"

namespace echo {

class MessageQueue {
public:
    void put(std::string message);
    bool empty() const noexcept { return messages_.empty(); }
    std::size_t pending_bytes() const noexcept;

    // Sends queued bytes until none are left or the (non-blocking) socket is
    // full. Returns true when the queue is empty. Throws OSError when the peer is gone.
    bool send_some(tulip::Socket& sock);

private:
    std::deque<std::string> messages_;
    std::size_t sent_ = 0;  // how much of messages_.front() is already out
};

}  // namespace echo
