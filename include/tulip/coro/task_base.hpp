// coro/task_base: the untyped machinery of a task — running its coroutine on the
// loop, what it is suspended on, and cancellation (asyncio.Task minus the result).
//
// How an awaitable suspends a task (every awaitable in tulip follows this):
//   await_suspend: `if (!task->suspend_on(this, h)) return false;` then arrange
//                  for task->wake() to be called when the awaited thing is done;
//   await_resume:  `task->resumed();` first: it throws CancelledError when the
//                  task was cancelled meanwhile, then the awaiter returns its value.
// task.cancel() calls the awaiter's cancel_wait(): a wait that can simply be
// dropped (a timer, an fd) is dropped and the task resumes with CancelledError; a
// wait on another future passes the cancellation on to it (asyncio semantics).
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "tulip/coro/future_base.hpp"
#include "tulip/loop/handle.hpp"

namespace tulip {

class TaskBase : public ReadyNode {
public:
    // What a suspended task waits on.
    struct Waiting {
        // The task is being cancelled. Return true if the cancellation was handed on
        // to the awaited future (the task stays suspended until it finishes), false
        // if the wait was dropped (the task is woken now and raises CancelledError).
        virtual bool cancel_wait(const std::string& message) noexcept = 0;

    protected:
        ~Waiting() = default;
    };

    // Task.cancel(msg): false if the task is done already.
    bool cancel_task(std::string message);
    int cancelling() const noexcept { return num_cancels_requested_; }
    // Task.uncancel() (3.13): at zero, a cancellation not yet thrown in is dropped too.
    int uncancel() noexcept {
        if (num_cancels_requested_ > 0 && --num_cancels_requested_ == 0) must_cancel_ = false;
        return num_cancels_requested_;
    }
    // "Task-N" unless named: made on first use, so an unnamed task costs no string.
    const std::string& get_name() const;
    // Renames in place once there is a name: what get_name() returned stays valid.
    void set_name(std::string name) {
        if (name_) {
            *name_ = std::move(name);
        } else {
            name_ = std::make_unique<std::string>(std::move(name));
        }
    }
    EventLoop& loop() const noexcept { return future_.get_loop(); }
    FutureBase& future() const noexcept { return future_; }

    // The awaiter protocol described at the top of this file.
    bool suspend_on(Waiting* waiting, std::coroutine_handle<> h) noexcept {
        resume_point_ = h;
        if (must_cancel_) return false;
        waiting_ = waiting;
        return true;
    }
    void wake() noexcept;
    void resumed() {
        waiting_ = nullptr;
        if (must_cancel_) throw_cancelled();
    }
    // Resume `h` (a coroutine of this task) from the ready queue, not from this stack.
    void post(std::coroutine_handle<> h) noexcept;

    void run() override;
    std::string describe() const override;

    // Every task of this thread that is not done yet (asyncio.all_tasks).
    static std::vector<TaskBase*> live_tasks();

protected:
    TaskBase(FutureBase& future, std::coroutine_handle<> root, std::string name, std::source_location where);
    ~TaskBase();

    // The task's coroutine returned or threw: record the outcome, destroy `root`.
    virtual void on_root_done(std::coroutine_handle<> root) noexcept = 0;
    void finish_cancelled() noexcept;  // ends the future as cancelled with our message
    bool cancelled_before_start() const noexcept { return !started_ && must_cancel_; }

private:
    friend struct detail_access;
    [[noreturn]] void throw_cancelled();
    void unlink() noexcept;

    // The fields are the few a task needs on every step: one task per connection
    // is common, so rare things (a name, a cancel message) take no room here.
    FutureBase& future_;  // our own future half (its loop is ours)
    std::coroutine_handle<> root_;
    std::coroutine_handle<> resume_point_;  // where run() resumes: the innermost suspended coroutine
    Waiting* waiting_ = nullptr;
    mutable std::unique_ptr<std::string> name_;  // null until named or asked for
    std::uint64_t number_;                       // N of "Task-N"
    // A requested cancellation's message waits in future_'s cancel message, which
    // is unused until the future ends (cancelled, with that message).
    std::source_location where_;
    int num_cancels_requested_ = 0;
    bool must_cancel_ = false;
    bool started_ = false;
    TaskBase* prev_live_ = nullptr;
    TaskBase* next_live_ = nullptr;

public:
    // For Coro's final step: the root coroutine of `task` has finished.
    static void root_finished(TaskBase* task, std::coroutine_handle<> root) noexcept { task->root_finished_(root); }

private:
    void root_finished_(std::coroutine_handle<> root) noexcept;
};

// The task running now on this thread (asyncio.current_task), or nullptr.
TaskBase* current_task() noexcept;

namespace detail {

std::uint64_t next_task_number() noexcept;  // 1, 2, ...: asyncio's "Task-N" counter

// Symmetric transfer to `next`, unless this thread's stack has grown deep (a
// compiler that does not turn the transfer into a tail call, as g++ 12 at -O0 and
// under sanitizers): then `next` is posted to the ready queue and the stack unwinds.
std::coroutine_handle<> transfer(std::coroutine_handle<> next) noexcept;

// Reports "coroutine ... was never awaited" to the running loop (or stderr).
void report_never_awaited(const std::source_location& where) noexcept;

}  // namespace detail

}  // namespace tulip
