#include "tulip/coro/condition.hpp"

#include <limits>

#include "tulip/coro/cancelled.hpp"
#include "tulip/errors.hpp"

namespace tulip {

// A wait goes through three places: the condition's queue, then (notified or
// cancelled) the lock's queue, then holding the lock with its task woken.

bool ConditionAwaiter::await_ready() const {
    if (!cond_.locked()) throw RuntimeError("cannot wait on un-acquired lock");
    return false;
}

bool ConditionAwaiter::await_suspend(std::coroutine_handle<> h) {
    // Refused when already cancelled: the lock is kept and await_resume raises,
    // which is where asyncio ends up too (release, raise, reacquire at once).
    if (!suspend(cond_.waiters_, h)) return false;
    cond_.lock_->permits_.give();  // held: await_ready checked, nothing ran since
    return true;
}

void ConditionAwaiter::await_resume() {
    resumed();
    if (cancelled_) throw CancelledError(std::move(message_));
}

void ConditionAwaiter::notified() noexcept {
    notified_ = true;
    cond_.lock_->permits_.take_or_queue(*this);
}

bool ConditionAwaiter::cancel_wait(const std::string& message) noexcept {
    try {
        message_ = message;  // the latest cancellation's message is the one raised
    } catch (...) {
    }
    if (cancelled_) return true;
    cancelled_ = true;
    if (queued_in(cond_.waiters_)) {
        // Take the lock back before raising, as asyncio's wait() does in its finally.
        cond_.waiters_.remove(*this);
        cond_.lock_->permits_.take_or_queue(*this);
    } else if (notified_) {
        // This wait will raise instead of reporting its notification: pass it on
        // (asyncio notifies one more waiter for the same reason).
        cond_.wake(1);
    }
    // Handed on: the task stays suspended until it holds the lock, then raises.
    return true;
}

void Condition::notify(std::size_t n) {
    if (!locked()) throw RuntimeError("cannot notify on un-acquired lock");
    wake(n);
}

void Condition::notify_all() {
    notify(std::numeric_limits<std::size_t>::max());
}

void Condition::wake(std::size_t n) noexcept {
    for (; n > 0 && !waiters_.empty(); --n)
        static_cast<ConditionAwaiter*>(waiters_.pop_front())->notified();
}

}  // namespace tulip
