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

private:
    // Only while something is pending: an idle connection pays one pointer.
    struct State {
        // A vector, not a deque: libstdc++'s deque allocates even when empty.
        std::vector<std::string> chunks;
        std::size_t head = 0;  // chunks before it are sent
        std::size_t head_offset = 0;
        std::size_t size = 0;
    };
    std::unique_ptr<State> state_;
};

}  // namespace tulip
