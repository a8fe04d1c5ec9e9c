// coro/wait_for: asyncio.wait_for(aw, timeout) — Python 3.12's, built on timeout():
// the awaitable is awaited inline (a Coro runs in the current task; a Task or
// Future is cancelled through the task's cancellation and waited for), so on expiry
// the inner work has finished cancelling, cleanup included, before TimeoutError
// arrives. An outer cancellation that lands with the inner result is never
// swallowed (cpython #86296). timeout: nullopt waits forever; <= 0 returns the
// result if it is done already, else cancels it, waits for it, and raises
// TimeoutError (the result, if it finished anyway). Loop thread only.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "tulip/coro/ensure_future.hpp"
#include "tulip/coro/timeouts.hpp"

namespace tulip {

namespace detail {

// asyncio's _cancel_and_wait: cancels `future` and waits until it is done. Cancelling
// the waiting task drops the wait (the future was cancelled already).
class CancelAndWait : TaskBase::Waiting {
public:
    explicit CancelAndWait(FutureBase& future) noexcept : future_(future) {}
    bool await_ready() const noexcept { return future_.done(); }
    bool await_suspend(std::coroutine_handle<> h) {
        task_ = current_task();
        if (!task_->suspend_on(this, h)) return false;
        future_.cancel();
        if (future_.done()) {
            task_->wake();  // a plain future is cancelled at once
        } else {
            waiter_.task = task_;
            future_.add_waiter(&waiter_);
        }
        return true;
    }
    void await_resume() {
        if (!task_) return;
        future_.remove_waiter(&waiter_);
        task_->resumed();
    }

private:
    bool cancel_wait(const std::string&) noexcept override {
        future_.remove_waiter(&waiter_);
        return false;
    }

    FutureBase& future_;
    TaskBase* task_ = nullptr;
    FutureBase::Waiter waiter_;
};

}  // namespace detail

template <FutureLike A>
Coro<awaitable_result_t<A>> wait_for(A aw, std::optional<double> timeout) {
    using T = awaitable_result_t<A>;
    if (timeout && *timeout <= 0) {
        Future<T> future = ensure_future(std::move(aw));  // a Coro's task is cancelled before it starts
        if (!future.done()) {
            co_await detail::CancelAndWait(*future.state());
            if (future.cancelled()) raise_timeout_error();
        }
        if constexpr (std::is_void_v<T>) {
            future.result();
            co_return;
        } else {
            co_return detail::take_result<T, detail::awaitable_traits<A>::owned>(future);
        }
    } else if constexpr (std::is_void_v<T>) {
        co_await detail::run_with_timeout<T>(timeout, true, std::move(aw));
    } else {
        co_return co_await detail::run_with_timeout<T>(timeout, true, std::move(aw));
    }
}

}  // namespace tulip
