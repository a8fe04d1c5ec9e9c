// transports/write_buffer: the bytes a transport could not send yet — a FIFO that
// leaves in one writev (sendmsg) per flush, or one completion send on io_uring.
// Empty (one null pointer, nothing allocated) while the socket keeps up, which is
// the usual case.
#pragma once

#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "tulip/coro/frame_allocator.hpp"

namespace tulip {

class WriteBuffer {
public:
    bool empty() const noexcept { return !state_; }
    std::size_t size() const noexcept { return state_ ? state_->size : 0; }

    // The buffer is `sending`'s unsent part, then the chunks. A write joins
    // `sending` while nothing else waits and no send holds it (one allocation for
    // a message that waits for its send), else the chunks.
    void append(std::string_view data) {
        if (data.empty()) return;
        if (!state_) state_.reset(new State);
        State& st = *state_;
        std::vector<std::string>& chunks = st.chunks;
        if (!st.in_flight && st.head == chunks.size() &&
            (st.unsent() == 0 || (st.sending.size() < join_limit && data.size() < join_limit))) {
            if (st.unsent() == 0) {
                st.sending.assign(data);
                st.sent_of_sending = 0;
            } else {
                st.sending.append(data);
            }
        } else if (chunks.size() > st.head && chunks.back().size() < join_limit && data.size() < join_limit) {
            chunks.back().append(data);  // small writes join: a burst of tiny writes is one iovec
        } else {
            chunks.emplace_back(data);
        }
        st.size += data.size();
    }
    // Fills `iov` with the pending bytes (at most `max` pieces); returns how many.
    int gather(iovec* iov, int max) const noexcept {
        if (!state_ || max <= 0) return 0;
        const State& st = *state_;
        int n = 0;
        if (st.unsent() > 0) {
            iov[n].iov_base = const_cast<char*>(st.sending.data()) + st.sent_of_sending;
            iov[n++].iov_len = st.unsent();
        }
        std::size_t offset = st.head_offset;
        for (auto it = st.chunks.begin() + static_cast<std::ptrdiff_t>(st.head); it != st.chunks.end() && n < max;
             ++it, ++n) {
            iov[n].iov_base = const_cast<char*>(it->data()) + offset;
            iov[n].iov_len = it->size() - offset;
            offset = 0;
        }
        return n;
    }
    // Drops the first `n` bytes (they were sent).
    void consume(std::size_t n) noexcept {
        State& st = *state_;
        st.size -= n;
        std::size_t from_sending = std::min(n, st.unsent());
        st.sent_of_sending += from_sending;
        n -= from_sending;
        while (n > 0) {
            std::size_t left = st.chunks[st.head].size() - st.head_offset;
            if (n < left) {
                st.head_offset += n;
                return;
            }
            n -= left;
            ++st.head;
            st.head_offset = 0;
        }
        if (st.size == 0) clear();  // give the memory back: an idle connection holds none
    }
    void clear() noexcept { state_.reset(); }

    // ---- Completion sends (io_uring): a send takes `sending`'s unsent part; later
    // writes go to the chunks, which cannot move it, until the send completes.
    // size() still counts the bytes in flight. ----
    // Everything waiting, as one send: the chunks are joined onto `sending`'s
    // unsent part (the rest of a short send, or writes that joined it), so the
    // pieces of one message (a 16 KiB echo read in two) go back together, not a
    // round trip apart. Empty if nothing waits. Until sent(), the bytes are in flight.
    std::string_view next_send() {
        if (!state_) return {};
        State& st = *state_;
        if (st.head < st.chunks.size()) {
            if (st.unsent() == 0) {  // take the first chunk's string over: no copy
                st.sending = std::move(st.chunks[st.head]);
                st.sending.erase(0, st.head_offset);
            } else {
                st.sending.erase(0, st.sent_of_sending);
                st.sending.append(std::string_view(st.chunks[st.head]).substr(st.head_offset));
            }
            for (std::size_t i = st.head + 1; i < st.chunks.size(); ++i) st.sending += st.chunks[i];
            st.sent_of_sending = st.head_offset = 0;
            st.chunks.clear();
            st.head = 0;
        }
        st.in_flight = st.unsent() > 0;
        return std::string_view(st.sending).substr(st.sent_of_sending);
    }
    // `n` bytes of what next_send() gave went; the send is over.
    void sent(std::size_t n) noexcept {
        State& st = *state_;
        st.in_flight = false;
        st.sent_of_sending += n;
        st.size -= n;
        if (st.size == 0) clear();
    }
    // Drops what no send holds (abort): only the send in flight's bytes remain.
    void drop_unsent() noexcept {
        if (!state_) return;
        State& st = *state_;
        if (!st.in_flight) return clear();
        st.chunks = {};
        st.head = st.head_offset = 0;
        st.size = st.unsent();
    }

private:
    static constexpr std::size_t join_limit = 4096;  // writes below this are copied together

    // Only while something is pending: an idle connection pays one pointer. From the
    // loop's block cache: a connection that echoes allocates one per message.
    struct State : detail::FrameAllocated {
        // A vector, not a deque: libstdc++'s deque allocates even when empty.
        std::vector<std::string> chunks;
        std::size_t head = 0;  // chunks before it are sent
        std::size_t head_offset = 0;
        std::size_t size = 0;
        std::string sending;  // sent first; a completion send's bytes, in the kernel's hands
        std::size_t sent_of_sending = 0;
        bool in_flight = false;  // a completion send holds `sending` (next_send() to sent())
        std::size_t unsent() const noexcept { return sending.size() - sent_of_sending; }
    };
    std::unique_ptr<State> state_;
};

}  // namespace tulip
