// coro/future_base: the untyped half of asyncio.Future — state, exception, the
// tasks awaiting it and its done callbacks. Future<T> (future.hpp) and Task<T>
// (task.hpp) add the typed result. Loop thread only; reference-counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tulip/coro/ref.hpp"

namespace tulip {

class EventLoop;
class TaskBase;

// asyncio.InvalidStateError: result() of a pending future, set_result() twice.
class InvalidStateError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

class FutureBase {
public:
    FutureBase(const FutureBase&) = delete;
    FutureBase& operator=(const FutureBase&) = delete;

    bool done() const noexcept { return state_ != State::pending; }
    bool cancelled() const noexcept { return state_ == State::cancelled; }
    // Future.cancel(): false if already done; else cancelled, waiters woken. A task
    // overrides it to throw CancelledError into its coroutine instead.
    virtual bool cancel(std::string message = {});
    // The exception it finished with (null if none). InvalidStateError while pending,
    // CancelledError if cancelled. Counts as having looked at the exception.
    std::exception_ptr exception();
    // Runs `callback` (through call_soon) once done; at once-ish if already done.
    // Returns an id for remove_done_callback (std::function cannot be compared).
    std::size_t add_done_callback(std::function<void()> callback);
    bool remove_done_callback(std::size_t id);
    EventLoop& get_loop() const noexcept { return *loop_; }
    virtual std::string describe() const;

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) destroy();
    }

    // A task suspended on this future, in the future's intrusive list of awaiters.
    struct Waiter {
        Waiter* next = nullptr;
        TaskBase* task = nullptr;
        // If set, called instead of waking `task` when the future finishes, after the
        // waiter is unlinked: how gather, wait, shield and as_completed watch many
        // futures without a callback allocation. It must not run coroutines.
        void (*notify)(Waiter*) noexcept = nullptr;
    };
    void add_waiter(Waiter* w) noexcept;
    void remove_waiter(Waiter* w) noexcept;

protected:
    enum class State : std::uint8_t { pending, finished, cancelled };

    explicit FutureBase(EventLoop& loop) noexcept : loop_(&loop) {}
    virtual ~FutureBase() = default;

    void check_pending(const char* what) const;  // InvalidStateError when done
    // Ends the future: wakes every awaiting task, schedules every callback.
    void finish(State state) noexcept;
    void set_exception_ptr(std::exception_ptr error);
    // Throws what result() must throw when there is no value: CancelledError or the exception.
    void rethrow_if_failed();
    virtual const char* kind() const noexcept { return "Future"; }

    // The cancel message: once cancelled; before, a task's requested cancellation's
    // (TaskBase). An empty one takes no memory.
    const std::string& cancel_message() const noexcept;
    void set_cancel_message(std::string message);  // no allocation when empty or once rare() exists
    std::string take_cancel_message() noexcept;

    std::exception_ptr exception_;

private:
    friend class TaskBase;  // keeps its pending cancel message in ours (and makes rare() first)
    void destroy() noexcept;  // reports an exception nobody retrieved, then deletes

    // What most futures never use, made on first use: a task per connection is
    // common, and these were 64 of its bytes.
    struct Rare {
        std::vector<std::pair<std::size_t, std::function<void()>>> callbacks;
        std::size_t next_callback_id = 1;
        std::string cancel_message;
    };
    Rare& rare();

    EventLoop* loop_;
    Waiter* waiters_ = nullptr;
    Waiter* waiters_tail_ = nullptr;
    std::unique_ptr<Rare> rare_;
    std::uint32_t refs_ = 0;
    State state_ = State::pending;
    bool log_exception_ = false;  // an exception is set and nobody has looked at it
};

}  // namespace tulip
