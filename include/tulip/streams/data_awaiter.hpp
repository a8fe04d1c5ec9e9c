// streams/data_awaiter: how a read waits for a StreamReader's next bytes —
// asyncio's _wait_for_data, whose waiter future is here this awaiter, in the
// reading coroutine's frame. A reader has one waiter at most, so the reader's
// state points at it (no queue): 32 bytes in every idle streams connection.
// Loop thread only.
#pragma once

#include <coroutine>
#include <exception>
#include <string>

#include "tulip/coro/task_base.hpp"

namespace tulip {

class StreamReaderState;

// Suspends the reading task until feed_data, feed_eof or set_exception.
// Cancelling it drops the wait; the buffer is untouched, so no data is lost.
class DataAwaiter final : public TaskBase::Waiting {
public:
    explicit DataAwaiter(StreamReaderState& state) noexcept : state_(state) {}
    DataAwaiter(const DataAwaiter&) = delete;  // the state points at it while it waits
    DataAwaiter& operator=(const DataAwaiter&) = delete;
    ~DataAwaiter();  // drops the wait (a frame destroyed while suspended, at loop close)

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h);
    // CancelledError if the task was cancelled meanwhile; the error set_exception
    // woke it with, if that is what woke it.
    void await_resume() {
        if (!task_) return;
        task_->resumed();
        if (error_) std::rethrow_exception(error_);
    }

private:
    friend class StreamReaderState;
    bool cancel_wait(const std::string& message) noexcept override;

    StreamReaderState& state_;
    TaskBase* task_ = nullptr;  // set once it suspends
    std::exception_ptr error_;
};

}  // namespace tulip
