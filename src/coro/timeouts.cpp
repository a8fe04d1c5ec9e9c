#include "tulip/coro/timeouts.hpp"

#include <cerrno>
#include <system_error>

#include "tulip/coro/cancelled.hpp"
#include "tulip/errors.hpp"

namespace tulip {

void raise_timeout_error() { throw TimeoutError(ETIMEDOUT, std::generic_category(), ""); }

void Timeout::enter() {
    if (state_ != State::created) throw RuntimeError("Timeout has already been entered");
    task_ = current_task();
    if (!task_) throw RuntimeError("Timeout should be used inside a task");
    state_ = State::entered;
    cancelling_ = task_->cancelling();
    reschedule(when_);
}

void Timeout::reschedule(std::optional<double> when) {
    if (state_ != State::entered) {
        if (state_ == State::created) throw RuntimeError("Timeout has not been entered");
        throw RuntimeError(state_ == State::exited ? "Cannot change state of finished Timeout"
                                                   : "Cannot change state of expiring Timeout");
    }
    when_ = when;
    handle_.cancel();
    handle_ = {};
    if (!when) return;
    EventLoop& loop = task_->loop();
    if (*when <= loop.time()) {
        handle_ = loop.call_soon([this] { on_timeout(); });
    } else {
        handle_ = loop.call_at(*when, [this] { on_timeout(); });
    }
}

void Timeout::on_timeout() noexcept {
    task_->cancel_task({});
    state_ = State::expiring;
    handle_ = {};
}

void Timeout::exit(const std::exception_ptr& error) {
    handle_.cancel();
    handle_ = {};
    if (state_ == State::entered) {
        state_ = State::exited;
        return;
    }
    if (state_ != State::expiring) return;
    state_ = State::expired;
    // uncancel() first, always: our cancel request is withdrawn even when the body
    // swallowed it. Only if no other request remains is the CancelledError ours.
    if (task_->uncancel() <= cancelling_ && error) {
        try {
            std::rethrow_exception(error);
        } catch (const CancelledError&) {
            raise_timeout_error();
        } catch (...) {
            // Another error won: it propagates (Python chains the TimeoutError to it).
        }
    }
}

}  // namespace tulip
