#include "tulip/coro/future_base.hpp"

#include <fmt/format.h>

#include "tulip/coro/cancelled.hpp"
#include "tulip/coro/task_base.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

// Part of every task, and a streams server keeps a task per connection.
static_assert(sizeof(FutureBase) <= 56, "FutureBase grew: rare fields belong in Rare");

void FutureBase::destroy() noexcept {
    // Here, not in the destructor, where describe() and kind() would no longer
    // reach the subclass (a Task would report itself as a Future).
    if (log_exception_) {
        try {
            std::string message = fmt::format("{} exception was never retrieved", kind());
            loop_->call_exception_handler({std::move(message), exception_, describe()});
        } catch (...) {
        }
    }
    delete this;
}

std::string FutureBase::describe() const {
    const char* state = state_ == State::pending ? "pending" : state_ == State::cancelled ? "cancelled" : "finished";
    return fmt::format("<{} {}>", kind(), state);
}

void FutureBase::check_pending(const char* what) const {
    if (done()) throw InvalidStateError(fmt::format("{}: invalid state (the future is done)", what));
}

FutureBase::Rare& FutureBase::rare() {
    if (!rare_) rare_ = std::make_unique<Rare>();
    return *rare_;
}

const std::string& FutureBase::cancel_message() const noexcept {
    static const std::string none;
    return rare_ ? rare_->cancel_message : none;
}

void FutureBase::set_cancel_message(std::string message) {
    if (rare_ || !message.empty()) rare().cancel_message = std::move(message);
}

std::string FutureBase::take_cancel_message() noexcept {
    return rare_ ? std::exchange(rare_->cancel_message, {}) : std::string();
}

bool FutureBase::cancel(std::string message) {
    if (done()) return false;
    set_cancel_message(std::move(message));
    finish(State::cancelled);
    return true;
}

void FutureBase::set_exception_ptr(std::exception_ptr error) {
    check_pending("set_exception");
    exception_ = std::move(error);
    log_exception_ = true;
    finish(State::finished);
}

std::exception_ptr FutureBase::exception() {
    if (state_ == State::pending) throw InvalidStateError("Exception is not set.");
    if (state_ == State::cancelled) throw CancelledError(cancel_message());
    log_exception_ = false;
    return exception_;
}

void FutureBase::rethrow_if_failed() {
    if (state_ == State::pending) throw InvalidStateError("Result is not set.");
    if (state_ == State::cancelled) throw CancelledError(cancel_message());
    log_exception_ = false;
    if (exception_) std::rethrow_exception(exception_);
}

void FutureBase::add_waiter(Waiter* w) noexcept {
    w->next = nullptr;
    if (waiters_tail_) {
        waiters_tail_->next = w;
    } else {
        waiters_ = w;
    }
    waiters_tail_ = w;
}

void FutureBase::remove_waiter(Waiter* w) noexcept {
    Waiter* prev = nullptr;
    for (Waiter* it = waiters_; it; prev = it, it = it->next) {
        if (it != w) continue;
        (prev ? prev->next : waiters_) = it->next;
        if (waiters_tail_ == it) waiters_tail_ = prev;
        return;
    }
}

std::size_t FutureBase::add_done_callback(std::function<void()> callback) {
    Rare& r = rare();
    std::size_t id = r.next_callback_id++;
    if (done()) {
        loop_->call_soon([self = Ref<FutureBase>(this), cb = std::move(callback)]() mutable { cb(); });
    } else {
        r.callbacks.emplace_back(id, std::move(callback));
    }
    return id;
}

bool FutureBase::remove_done_callback(std::size_t id) {
    if (!rare_) return false;
    auto& callbacks = rare_->callbacks;
    for (auto it = callbacks.begin(); it != callbacks.end(); ++it) {
        if (it->first == id) {
            callbacks.erase(it);
            return true;
        }
    }
    return false;
}

void FutureBase::finish(State state) noexcept {
    state_ = state;
    while (Waiter* w = waiters_) {
        waiters_ = w->next;
        if (w->notify) {
            w->notify(w);
        } else {
            w->task->wake();
        }
    }
    waiters_tail_ = nullptr;
    if (!rare_) return;
    for (auto& [id, callback] : rare_->callbacks) {
        try {
            loop_->call_soon([self = Ref<FutureBase>(this), cb = std::move(callback)]() mutable { cb(); });
        } catch (...) {
            loop_->call_exception_handler({"Could not schedule a done callback", std::current_exception(), describe()});
        }
    }
    rare_->callbacks.clear();
}

}  // namespace tulip
