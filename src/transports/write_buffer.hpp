// transports/write_buffer: the bytes a transport could not send yet — a FIFO of
// chunks that leaves in one writev (sendmsg) per flush, up to IOV_MAX chunks.
// Empty (one null pointer, nothing allocated) while the socket keeps up, which is
// the usual case.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <vector>
#include <string>
#include <string_view>
#include <utility>

namespace tulip {

class WriteBuffer {
public:
    bool empty() const noexcept { return !state_; }
    std::size_t size() const noexcept { return state_ ? state_->size : 0; }

    void append(std::string_view data) {
        if (data.empty()) return;
        if (!state_) state_ = std::make_unique<State>();
        std::vector<std::string>& chunks = state_->chunks;
        // Small writes join the last chunk so a burst of tiny writes is one iovec.
        if (chunks.size() > state_->head && chunks.back().size() < 4096 && data.size() < 4096) {
            chunks.back().append(data);
        } else {
            chunks.emplace_back(data);
        }
        state_->size += data.size();
    }
    // Fills `iov` with the pending chunks (at most `max`); returns how many.
    int gather(iovec* iov, int max) const noexcept {
        if (!state_) return 0;
        int n = 0;
        std::size_t offset = state_->head_offset;
        const std::vector<std::string>& chunks = state_->chunks;
        for (auto it = chunks.begin() + static_cast<std::ptrdiff_t>(state_->head); it != chunks.end() && n < max;
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
        if (st.head == st.chunks.size()) clear();  // give the memory back: an idle connection holds none
    }
    void clear() noexcept { state_.reset(); }

    // ---- Completion sends (io_uring): the bytes handed to the kernel move out of
    // the chunks into `sending`, where later appends cannot move them, until
    // their send completes. size() still counts them. ----
    // The bytes to send next: the rest of the last send if it was short, else every
    // chunk waiting, joined and moved into flight. Empty if nothing waits.
    std::string_view next_send() {
        if (!state_) return {};
        State& st = *state_;
        if (st.sent_of_sending == st.sending.size() && st.head < st.chunks.size()) {
            st.sending = std::move(st.chunks[st.head]);
            st.sending.erase(0, std::exchange(st.head_offset, 0));
            for (std::size_t i = st.head + 1; i < st.chunks.size(); ++i) st.sending += st.chunks[i];
            st.sent_of_sending = 0;
            st.chunks.clear();
            st.head = 0;
        }
        return std::string_view(st.sending).substr(st.sent_of_sending);
    }
    // `n` bytes of what next_send() gave went.
    void sent(std::size_t n) noexcept {
        State& st = *state_;
        st.sent_of_sending += n;
        st.size -= n;
        if (st.size == 0) clear();
    }
    // Drops what no send holds (abort): only the send in flight's bytes remain.
    void drop_unsent() noexcept {
        if (!state_) return;
        State& st = *state_;
        st.chunks = {};
        st.head = st.head_offset = 0;
        st.size = st.sending.size() - st.sent_of_sending;
        if (st.size == 0) clear();
    }

private:
    // Only while something is pending: an idle connection pays one pointer.
    struct State {
        // A vector, not a deque: libstdc++'s deque allocates even when empty.
        std::vector<std::string> chunks;
        std::size_t head = 0;  // chunks before it are sent
        std::size_t head_offset = 0;
        std::size_t size = 0;
        std::string sending;  // completion sends: in the kernel's hands
        std::size_t sent_of_sending = 0;
    };
    std::unique_ptr<State> state_;
};

}  // namespace tulip
