#include "chat/outbox.hpp"

#include "tulip/errors.hpp"

namespace chat {

void Outbox::send_some(tulip::Socket& sock) {
    while (!messages_.empty()) {
        const std::string_view rest = std::string_view(*messages_.front()).substr(offset_);
        std::size_t sent = 0;
        try {
            sent = sock.send(rest);
        } catch (const tulip::BlockingIOError&) {
            return;
        }
        bytes_ -= sent;
        offset_ += sent;
        if (sent < rest.size()) return;  // the socket is full: the rest waits for EVENT_WRITE
        messages_.pop_front();
        offset_ = 0;
    }
}

}  // namespace chat
