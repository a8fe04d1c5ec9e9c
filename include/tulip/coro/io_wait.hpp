// coro/io_wait: suspends the current task until a descriptor is readable or
// writable — the one wait under every sock_* coroutine, which try their syscall
// first and come here only on EAGAIN. Cancelling drops the wait (no syscall).
#pragma once

#include "tulip/coro/task_base.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

class IoWait : TaskBase::Waiting {
public:
    IoWait(EventLoop& loop, int fd, Events direction) noexcept : loop_(loop), fd_(fd), direction_(direction) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
        task_ = current_task();
        if (!task_->suspend_on(this, h)) return false;
        loop_.wait_io(fd_, direction_, task_);
        return true;
    }
    void await_resume() { task_->resumed(); }

private:
    bool cancel_wait(const std::string&) noexcept override {
        loop_.cancel_io(fd_, direction_, task_);
        return false;
    }

    EventLoop& loop_;
    int fd_;
    Events direction_;
    TaskBase* task_ = nullptr;
};

}  // namespace tulip
