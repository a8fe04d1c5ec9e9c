// coro/wait_queue: the machinery under Event, Lock, Semaphore, Condition and
// Queue — an intrusive FIFO of suspended tasks (asyncio's deque of waiter futures),
// whose nodes are the awaiters themselves, living in the coroutine frames: a wait
// allocates nothing. Loop thread only, like the primitives built on it.
#pragma once

#include <coroutine>
#include <string>

#include "tulip/coro/task_base.hpp"

namespace tulip::detail {

class WaitQueue;

// A task suspended on a primitive (the base of every primitive's awaiter). The
// primitive wakes it with signal(), which gives it something (the lock, a permit,
// a turn at the queue). If the task was cancelled before it ran, it resumes with
// CancelledError and passes that something on first (cancelled_after_signal), as
// asyncio's `except CancelledError` blocks do: a cancelled waiter never leaks a
// lock or loses an item. Deciding at resumption, not at cancel(), keeps that
// right when the cancellation is withdrawn meanwhile (Task.uncancel).
class Waiter : public TaskBase::Waiting {
public:
    Waiter() noexcept {}
    Waiter(const Waiter&) = delete;  // linked into a queue: never copied
    Waiter& operator=(const Waiter&) = delete;
    ~Waiter();  // unlinks itself (a frame destroyed while suspended, at loop close)

    // Called by the primitive after taking this waiter off its queue.
    void signal() noexcept {
        signalled_ = true;
        task_->wake();
    }

protected:
    // The body of await_suspend: false if the task was cancelled already (it does
    // not suspend, and await_resume throws CancelledError). RuntimeError if the
    // queue holds tasks of another loop (asyncio's "bound to a different event loop").
    bool suspend(WaitQueue& queue, std::coroutine_handle<> h, bool at_front = false);
    // First thing in await_resume: throws CancelledError if the task was cancelled,
    // after handing on what a signal gave it.
    void resumed() {
        if (!task_) return;
        try {
            task_->resumed();
        } catch (...) {
            if (take_signal()) cancelled_after_signal();
            throw;
        }
    }
    // Takes the signal (true once per signal()): for waits that count reservations.
    bool take_signal() noexcept {
        bool was = signalled_;
        signalled_ = false;
        return was;
    }
    bool queued_in(const WaitQueue& queue) const noexcept { return queue_ == &queue; }
    // The task was signalled, then cancelled before it ran: hand on what the
    // signal gave it. Default: nothing was given (an Event).
    virtual void cancelled_after_signal() noexcept {}
    // Drops the wait: off the queue if still queued (a signalled waiter is
    // already woken; resumed() hands its signal on).
    bool cancel_wait(const std::string& message) noexcept override;

    TaskBase* task_ = nullptr;  // null when await_ready took the fast path

private:
    friend class WaitQueue;
    Waiter* prev_ = nullptr;
    Waiter* next_ = nullptr;
    WaitQueue* queue_ = nullptr;
    bool signalled_ = false;
};

// A FIFO of Waiters, doubly linked so that a cancelled waiter leaves in O(1).
class WaitQueue {
public:
    WaitQueue() noexcept {}
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;
    ~WaitQueue();  // detaches waiters still queued, so they do not unlink into freed memory

    bool empty() const noexcept { return head_ == nullptr; }
    Waiter* front() const noexcept { return head_; }
    void push_back(Waiter& w) noexcept;
    void push_front(Waiter& w) noexcept;
    Waiter* pop_front() noexcept;
    void remove(Waiter& w) noexcept;
    // Signals the first waiter; false if there was none.
    bool signal_first() noexcept;

private:
    Waiter* head_ = nullptr;
    Waiter* tail_ = nullptr;
};

}  // namespace tulip::detail
