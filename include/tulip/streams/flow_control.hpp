// streams/flow_control: FlowControlMixin, asyncio's flow control for writers —
// the transport says pause_writing when its buffer passes the high-water mark
// and resume_writing when it drains to the low one; StreamWriter.drain() waits
// in between. Loop thread only.
#pragma once

#include <coroutine>
#include <exception>

#include "tulip/coro/wait_queue.hpp"
#include "tulip/transports/protocols.hpp"

namespace tulip {

class FlowControlMixin;

// What drain_helper() returns: ready at once unless writing is paused. Cancelling
// the waiting task drops the wait (allocation-free: the awaiter is the node).
class DrainAwaiter : public detail::Waiter {
public:
    explicit DrainAwaiter(FlowControlMixin& protocol) noexcept : protocol_(protocol) {}
    bool await_ready() const noexcept;
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume() {
        resumed();
        if (error_) std::rethrow_exception(error_);
    }

private:
    friend class FlowControlMixin;
    FlowControlMixin& protocol_;
    std::exception_ptr error_;  // connection_lost(error) woke us
};

// A Protocol whose subclasses that override pause_writing, resume_writing or
// connection_lost must call these.
class FlowControlMixin : public Protocol {
public:
    void pause_writing() override { paused_ = true; }
    void resume_writing() override;
    void connection_lost(std::exception_ptr error) override;

    // asyncio's _drain_helper: ConnectionResetError("Connection lost") once the
    // connection is lost; else an awaiter that waits while writing is paused (and
    // raises the connection's error if it is lost meanwhile).
    DrainAwaiter drain_helper();
    bool writing_paused() const noexcept { return paused_; }

private:
    friend class DrainAwaiter;
    void wake_drainers(const std::exception_ptr& error) noexcept;

    detail::WaitQueue drain_waiters_;
    bool paused_ = false;
    bool connection_lost_ = false;
};

}  // namespace tulip
