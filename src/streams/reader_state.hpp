// streams/reader_state: what a StreamReader's copies share — the buffer, the EOF
// flag, the error, the transport whose reading it pauses, and the one coroutine
// waiting for data (asyncio's _waiter, here an awaiter in that coroutine's frame:
// waiting allocates nothing).
#pragma once

#include <cstddef>
#include <exception>
#include <string>

#include "streams/stream_buffer.hpp"
#include "tulip/coro/wait_queue.hpp"

namespace tulip {

class Transport;
class StreamReaderState;

// Suspends the reading coroutine until feed_data, feed_eof or set_exception.
// Cancelling it drops the wait; the buffer is untouched, so no data is lost.
class DataAwaiter : public detail::Waiter {
public:
    explicit DataAwaiter(StreamReaderState& state) noexcept : state_(state) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume() {
        resumed();
        if (error_) std::rethrow_exception(error_);
    }

private:
    friend class StreamReaderState;
    StreamReaderState& state_;
    std::exception_ptr error_;  // set_exception() woke us: the read raises it
};

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
    DataAwaiter wait_for_data(const char* func_name);
    // asyncio's _maybe_resume_transport: after a read, below the limit again.
    void maybe_resume_transport();
    // Takes the first n bytes (n <= buffer.size()) and resumes reading if due.
    std::string take(std::size_t n);

    StreamBuffer buffer;
    std::size_t limit_;
    Transport* transport = nullptr;
    std::exception_ptr exception_;
    bool eof = false;
    bool paused = false;  // we paused the transport's reading

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }

private:
    friend class DataAwaiter;
    void wakeup_waiter(std::exception_ptr error = nullptr) noexcept;

    detail::WaitQueue waiter_;  // at most one
    std::uint32_t refs_ = 0;
};

}  // namespace tulip
