// streams/reader_state: what a StreamReader's copies share — the buffer, the EOF
// flag, the error, the transport whose reading it pauses, and the one coroutine
// waiting for data (asyncio's _waiter, here an awaiter in that coroutine's frame:
// waiting allocates nothing; streams/data_awaiter.hpp).
#pragma once

#include <cstddef>
#include <exception>
#include <string>

#include "streams/stream_buffer.hpp"
#include "tulip/streams/data_awaiter.hpp"

namespace tulip {

class Transport;

class StreamReaderState {
public:
    explicit StreamReaderState(std::size_t limit) noexcept : limit_(limit) {}

    void feed_data(std::string_view data);
    void feed_eof() noexcept;
    void set_exception(std::exception_ptr error) noexcept;
    void check_exception() const {
        if (exception_) std::rethrow_exception(exception_);
    }
    // asyncio's _wait_for_data: RuntimeError if another coroutine waits already;
    // resumes a paused transport (waiting on a paused one would never end).
    DataAwaiter wait_for_data(const char* func_name) {
        before_wait(func_name);
        return DataAwaiter(*this);
    }
    // Its checks, for a read that holds its DataAwaiter already (StreamRead).
    void before_wait(const char* func_name);
    // asyncio's _maybe_resume_transport: after a read, below the limit again.
    void maybe_resume_transport();
    // Takes the first n bytes (n <= buffer.size()) and resumes reading if due.
    std::string take(std::size_t n);

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }

    StreamBuffer buffer;
    std::size_t limit_;
    Transport* transport = nullptr;
    std::exception_ptr exception_;

private:
    friend class DataAwaiter;
    void wakeup_waiter(std::exception_ptr error = nullptr) noexcept;

    DataAwaiter* waiter_ = nullptr;  // at most one

public:
    // Last, beside the count: the three share one word (80 bytes in all).
    bool eof = false;
    bool paused = false;  // we paused the transport's reading

private:
    std::uint32_t refs_ = 0;
};

}  // namespace tulip
