#include "echo/message_queue.hpp"

#include <string_view>

#include "tulip/errors.hpp"

namespace echo {

void MessageQueue::put(std::string message) {
    if (!message.empty()) messages_.push_back(std::move(message));
}

std::size_t MessageQueue::pending_bytes() const noexcept {
    std::size_t total = 0;
    for (const std::string& m : messages_) total += m.size();
    return total - sent_;
}

bool MessageQueue::send_some(tulip::Socket& sock) {
    try {
        while (!messages_.empty()) {
            const std::string_view rest = std::string_view(messages_.front()).substr(sent_);
            sent_ += sock.send(rest);
            // A short send means the kernel's buffer is full (and the socket is
            // marked so, which is what makes an edge-triggered EPOLLOUT fire later).
            if (sent_ < messages_.front().size()) return false;
            messages_.pop_front();
            sent_ = 0;
        }
    } catch (const tulip::BlockingIOError&) {
        // The kernel's buffer is full: the rest waits for the next writable event.
    }
    return messages_.empty();
}

}  // namespace echo
