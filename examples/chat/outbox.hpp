// chat/outbox: one client's outgoing queue in the selectors server, the seed's
// per-client Queue: the messages waiting for it (shared with the other
// clients' queues), in order, and how much of the first one has gone out.
#pragma once

#include <cstddef>
#include <deque>

#include "chat/chat.hpp"
#include "tulip/net/socket.hpp"

namespace chat {

class Outbox {
public:
    void push(Message message) {
        bytes_ += message->size();
        messages_.push_back(std::move(message));
    }
    bool empty() const noexcept { return messages_.empty(); }
    std::size_t bytes() const noexcept { return bytes_; }  // not sent yet

    // Sends what `sock` (non-blocking) takes now, in order, and keeps the rest.
    // OSError if the connection failed; a full socket is not an error.
    void send_some(tulip::Socket& sock);

private:
    std::deque<Message> messages_;
    std::size_t bytes_ = 0;
    std::size_t offset_ = 0;  // of messages_.front(), sent already
};

}  // namespace chat
