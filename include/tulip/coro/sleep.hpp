// coro/sleep: asyncio.sleep. `co_await sleep(0)` yields to the other ready tasks
// once; a positive delay suspends the task on a loop timer. Cancelling the task
// drops the timer (O(1)) and CancelledError is thrown from the co_await.
#pragma once

#include "tulip/coro/task_base.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

class SleepAwaiter : TaskBase::Waiting {
public:
    explicit SleepAwaiter(double delay) noexcept : delay_(delay) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
        task_ = current_task();
        if (!task_->suspend_on(this, h)) return false;
        if (delay_ <= 0) {
            task_->wake();
        } else {
            TaskBase* task = task_;
            timer_ = task->loop().call_later(delay_, [task] { task->wake(); });
        }
        return true;
    }
    void await_resume() { task_->resumed(); }

private:
    bool cancel_wait(const std::string&) noexcept override {
        timer_.cancel();
        return false;
    }

    double delay_;
    TaskBase* task_ = nullptr;
    TimerHandle timer_;
};

inline SleepAwaiter sleep(double delay) noexcept { return SleepAwaiter(delay); }

}  // namespace tulip
