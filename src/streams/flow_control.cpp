// FlowControlMixin: drain()'s wait, woken by resume_writing or connection_lost.
#include "tulip/streams/flow_control.hpp"

#include <cerrno>

#include "tulip/errors.hpp"

namespace tulip {

bool DrainAwaiter::await_ready() const noexcept { return !protocol_.paused_; }

bool DrainAwaiter::await_suspend(std::coroutine_handle<> h) { return suspend(protocol_.drain_waiters_, h); }

void FlowControlMixin::resume_writing() {
    paused_ = false;
    wake_drainers(nullptr);
}

void FlowControlMixin::connection_lost(std::exception_ptr error) {
    connection_lost_ = true;
    // Only a paused writer has drainers waiting; they see the error (or return, if none).
    if (paused_) wake_drainers(error);
}

void FlowControlMixin::wake_drainers(const std::exception_ptr& error) noexcept {
    while (auto* w = static_cast<DrainAwaiter*>(drain_waiters_.pop_front())) {
        w->error_ = error;
        w->signal();
    }
}

DrainAwaiter FlowControlMixin::drain_helper() {
    if (connection_lost_) throw ConnectionResetError(ECONNRESET, std::generic_category(), "Connection lost");
    return DrainAwaiter(*this);
}

}  // namespace tulip
