// coro/future: Future<T>, asyncio.Future — a result that arrives later, awaited by
// any number of tasks. set_result / set_exception / cancel end it; awaiting it
// returns the value or throws the exception (CancelledError if cancelled).
// Loop thread only (an executor completes its futures through call_soon_threadsafe).
#pragma once

#include <optional>
#include <utility>

#include "tulip/coro/cancelled.hpp"
#include "tulip/coro/future_base.hpp"
#include "tulip/coro/task_base.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

namespace detail {

template <class T>
struct Slot {
    std::optional<T> value;
    template <class U>
    void set(U&& v) {
        value.emplace(std::forward<U>(v));
    }
    T& get() { return *value; }
};
template <>
struct Slot<void> {
    void get() {}
};

}  // namespace detail

template <class T>
class FutureState : public FutureBase {
public:
    explicit FutureState(EventLoop& loop) noexcept : FutureBase(loop) {}

    template <class... U>
    void set_result(U&&... value) {
        check_pending("set_result");
        if constexpr (!std::is_void_v<T>) slot_.set(std::forward<U>(value)...);
        finish(State::finished);
    }
    void set_exception(std::exception_ptr error) { set_exception_ptr(std::move(error)); }
    // The value (by reference; move it out to take it), or what result() must throw.
    std::add_lvalue_reference_t<T> result() {
        rethrow_if_failed();
        return slot_.get();
    }

protected:
    detail::Slot<T> slot_;
};

// Suspends the current task until `future` is done. Cancelling the task cancels
// the future (asyncio: task.cancel() cancels what the task awaits).
template <class T, class State = FutureState<T>>
class FutureAwaiter : TaskBase::Waiting {
public:
    explicit FutureAwaiter(State* state) noexcept : state_(state) {}
    bool await_ready() const noexcept { return state_->done(); }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
        task_ = current_task();
        if (!task_->suspend_on(this, h)) return false;
        waiter_.task = task_;
        state_->add_waiter(&waiter_);
        return true;
    }
    T await_resume() {
        if (task_) {
            state_->remove_waiter(&waiter_);  // still listed if the task was woken another way
            task_->resumed();
        }
        if constexpr (std::is_void_v<T>) {
            state_->result();
        } else if constexpr (std::is_copy_constructible_v<T>) {
            return state_->result();  // a future may be awaited many times, as in asyncio
        } else {
            return std::move(state_->result());  // move-only results can be awaited once
        }
    }

private:
    bool cancel_wait(const std::string& message) noexcept override {
        try {
            return state_->cancel(message);
        } catch (...) {
            return false;
        }
    }

    State* state_;
    TaskBase* task_ = nullptr;
    FutureBase::Waiter waiter_;
};

template <class T = void>
class Future {
public:
    using value_type = T;

    Future() : Future(get_running_loop()) {}  // loop.create_future()
    explicit Future(EventLoop& loop) : state_(new FutureState<T>(loop)) {}
    explicit Future(Ref<FutureState<T>> state) noexcept : state_(std::move(state)) {}

    bool done() const noexcept { return state_->done(); }
    bool cancelled() const noexcept { return state_->cancelled(); }
    bool cancel(std::string message = {}) { return state_->cancel(std::move(message)); }
    template <class... U>
    void set_result(U&&... value) {
        state_->set_result(std::forward<U>(value)...);
    }
    void set_exception(std::exception_ptr error) { state_->set_exception(std::move(error)); }
    template <class E>
    void set_exception(E error) {
        set_exception(std::make_exception_ptr(std::move(error)));
    }
    std::add_lvalue_reference_t<T> result() const { return state_->result(); }
    std::exception_ptr exception() const { return state_->exception(); }
    // The callback gets this future. Returns an id for remove_done_callback.
    template <class F>
    std::size_t add_done_callback(F&& callback) {
        // A raw pointer: a future must not keep itself alive through its own callbacks
        // (the loop holds a reference from the moment the callback is scheduled).
        return state_->add_done_callback(
            [cb = std::forward<F>(callback), state = state_.get()]() mutable { cb(Future(Ref(state))); });
    }
    bool remove_done_callback(std::size_t id) { return state_->remove_done_callback(id); }
    EventLoop& get_loop() const noexcept { return state_->get_loop(); }

    FutureAwaiter<T> operator co_await() const noexcept { return FutureAwaiter<T>(state_.get()); }
    FutureState<T>* state() const noexcept { return state_.get(); }
    friend bool operator==(const Future& a, const Future& b) noexcept { return a.state_ == b.state_; }

private:
    Ref<FutureState<T>> state_;
};

}  // namespace tulip
