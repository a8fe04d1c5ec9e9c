#include "tulip/coro/task_base.hpp"

#include <utility>

#include <fmt/format.h>

#include "tulip/coro/cancelled.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

namespace {

thread_local TaskBase* t_current = nullptr;
thread_local TaskBase* t_live = nullptr;           // head of this thread's pending tasks
thread_local char* t_stack_base = nullptr;         // the stack pointer when run() resumed a task
constexpr std::ptrdiff_t max_transfer_depth = 128 * 1024;  // bytes of stack, not frames

}  // namespace

TaskBase* current_task() noexcept { return t_current; }

TaskBase::TaskBase(FutureBase& future, std::coroutine_handle<> root, std::string name, std::source_location where)
    : future_(future), root_(root), resume_point_(root),
      name_(name.empty() ? nullptr : std::make_unique<std::string>(std::move(name))),
      number_(detail::next_task_number()), where_(where) {
    next_live_ = t_live;
    if (t_live) t_live->prev_live_ = this;
    t_live = this;
}

TaskBase::~TaskBase() {
    unlink();
    if (root_) root_.destroy();  // never ran to the end (the loop closed first)
}

void TaskBase::unlink() noexcept {
    if (prev_live_) {
        prev_live_->next_live_ = next_live_;
    } else if (t_live == this) {
        t_live = next_live_;
    }
    if (next_live_) next_live_->prev_live_ = prev_live_;
    prev_live_ = next_live_ = nullptr;
}

std::vector<TaskBase*> TaskBase::live_tasks() {
    std::vector<TaskBase*> out;
    for (TaskBase* t = t_live; t; t = t->next_live_) out.push_back(t);
    return out;
}

const std::string& TaskBase::get_name() const {
    if (!name_) name_ = std::make_unique<std::string>(fmt::format("Task-{}", number_));
    return *name_;
}

void TaskBase::wake() noexcept { loop().schedule(this); }

void TaskBase::post(std::coroutine_handle<> h) noexcept {
    resume_point_ = h;
    loop().schedule(this);
}

bool TaskBase::cancel_task(std::string message) {
    if (future_.done()) return false;
    // The one step that may throw (a message's block), before anything changes:
    // a wait dropped by cancel_wait must be followed by the wake-up below.
    if (!message.empty()) future_.rare();
    ++num_cancels_requested_;
    if (waiting_ && waiting_->cancel_wait(message)) return true;  // handed on; asyncio leaves must_cancel unset
    future_.set_cancel_message(std::move(message));  // no allocation now
    must_cancel_ = true;
    if (waiting_) {
        waiting_ = nullptr;
        wake();
    } else if (!started_) {
        wake();  // created but not run yet: it is queued already; this is a no-op then
    }
    return true;
}

void TaskBase::throw_cancelled() {
    must_cancel_ = false;
    throw CancelledError(future_.take_cancel_message());
}

void TaskBase::run() {
    if (future_.done()) return;
    // Retain: the coroutine may finish and drop the last reference to this task.
    Ref<FutureBase> keep(&future_);
    if (!started_ && must_cancel_) {
        // Cancelled before its first step: the coroutine never runs (asyncio throws
        // CancelledError in at its first line, which comes to the same).
        root_finished_(root_);
        return;
    }
    started_ = true;
    TaskBase* outer = t_current;
    char* outer_base = t_stack_base;
    t_current = this;
    t_stack_base = static_cast<char*>(__builtin_frame_address(0));
    resume_point_.resume();
    t_current = outer;
    t_stack_base = outer_base;
}

void TaskBase::root_finished_(std::coroutine_handle<> root) noexcept {
    unlink();
    root_ = {};
    on_root_done(root);  // records the outcome, destroys the frame; may drop the last reference
}

void TaskBase::finish_cancelled() noexcept {
    // Not the task's override, which would only request it.
    future_.FutureBase::cancel(future_.take_cancel_message());
}

std::string TaskBase::describe() const {
    return fmt::format("<Task {} name='{}' coro=<created at {}:{} in {}>>",
                       future_.done() ? (future_.cancelled() ? "cancelled" : "finished") : "pending", get_name(),
                       where_.file_name(), where_.line(), where_.function_name());
}

namespace detail {

std::coroutine_handle<> transfer(std::coroutine_handle<> next) noexcept {
    char* here = static_cast<char*>(__builtin_frame_address(0));
    if (t_current && t_stack_base && t_stack_base - here > max_transfer_depth) {
        t_current->post(next);
        return std::noop_coroutine();
    }
    return next;
}

void report_never_awaited(const std::source_location& where) noexcept {
    ExceptionContext context{fmt::format("coroutine '{}' was never awaited", where.function_name()), nullptr,
                             fmt::format("created at {}:{}", where.file_name(), where.line())};
    if (EventLoop* loop = running_loop()) {
        loop->call_exception_handler(context);
    } else {
        EventLoop::default_exception_handler(context);
    }
}

}  // namespace detail

}  // namespace tulip
