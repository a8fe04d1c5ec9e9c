// transports/write_buffer: the bytes a transport could not send yet — a FIFO of
// chunks that leaves in one writev (sendmsg) per flush, up to IOV_MAX chunks.
// Empty (and allocation-free) while the socket keeps up, which is the usual case.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <vector>
#include <string>
#include <string_view>

namespace tulip {

class WriteBuffer {
public:
    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }

    void append(std::string_view data) {
        // Small writes join the last chunk so a burst of tiny writes is one iovec.
        if (chunks_.size() > head_ && chunks_.back().size() < 4096 && data.size() < 4096) {
            chunks_.back().append(data);
        } else {
            chunks_.emplace_back(data);
        }
        size_ += data.size();
    }
    // Fills `iov` with the pending chunks (at most `max`); returns how many.
    int gather(iovec* iov, int max) const noexcept {
        int n = 0;
        std::size_t offset = head_offset_;
        for (auto it = chunks_.begin() + static_cast<std::ptrdiff_t>(head_); it != chunks_.end() && n < max;
             ++it, ++n) {
            iov[n].iov_base = const_cast<char*>(it->data()) + offset;
            iov[n].iov_len = it->size() - offset;
            offset = 0;
        }
        return n;
    }
    // Drops the first `n` bytes (they were sent).
    void consume(std::size_t n) noexcept {
        size_ -= n;
        while (n > 0) {
            std::size_t left = chunks_[head_].size() - head_offset_;
            if (n < left) {
                head_offset_ += n;
                return;
            }
            n -= left;
            ++head_;
            head_offset_ = 0;
        }
        if (head_ == chunks_.size()) clear();  // give the memory back: an idle connection holds none
    }
    void clear() noexcept {
        chunks_ = {};
        head_ = 0;
        head_offset_ = 0;
        size_ = 0;
    }

private:
    // A vector, not a deque: libstdc++'s deque allocates even when empty.
    std::vector<std::string> chunks_;
    std::size_t head_ = 0;  // chunks before it are sent
    std::size_t head_offset_ = 0;
    std::size_t size_ = 0;
};

}  // namespace tulip
