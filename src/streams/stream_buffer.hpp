// streams/stream_buffer: the bytes a StreamReader holds until a read takes them.
// A string with a read offset, so taking a line off the front moves nothing;
// the dead prefix is compacted away only when that costs no more than the bytes
// already consumed. It holds memory only while data waits: once drained, a
// buffer larger than `retained_capacity` is freed (DESIGN.md: an idle connection
// holds no large buffer), and a mostly drained large buffer is shrunk.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace tulip {

class StreamBuffer {
public:
    static constexpr std::size_t retained_capacity = 4096;

    std::size_t size() const noexcept { return data_.size() - start_; }
    bool empty() const noexcept { return size() == 0; }
    std::size_t capacity() const noexcept { return data_.capacity(); }
    std::string_view view() const noexcept { return std::string_view(data_).substr(start_); }

    void append(std::string_view bytes) {
        // Compact first if the dead prefix is at least as large as the live bytes
        // (amortised O(1) per byte), or if it saves a reallocation.
        if (start_ > 0 && (start_ >= size() || data_.size() + bytes.size() > data_.capacity())) compact();
        data_.append(bytes);
    }

    // The first n bytes (n <= size()).
    std::string take(std::size_t n) {
        if (start_ == 0 && n == data_.size()) return std::exchange(data_, {});  // hand the buffer over: no copy
        std::string out(data_, start_, n);
        discard(n);
        return out;
    }
    std::string take_all() { return take(size()); }

    void discard(std::size_t n) noexcept {
        start_ += n;
        if (start_ == data_.size()) {
            data_.clear();
            start_ = 0;
            if (data_.capacity() > retained_capacity) data_ = std::string();
        } else if (data_.capacity() > 16 * retained_capacity && size() <= data_.capacity() / 8) {
            // A burst was read but for a few bytes (a partial line): keep only those.
            try {
                std::string(view()).swap(data_);
                start_ = 0;
            } catch (...) {
                // Out of memory: keep the large buffer, it still holds the data.
            }
        }
    }
    void clear() noexcept { discard(size()); }

private:
    void compact() {
        data_.erase(0, start_);
        start_ = 0;
    }

    std::string data_;
    std::size_t start_ = 0;  // bytes before it are consumed
};

}  // namespace tulip
