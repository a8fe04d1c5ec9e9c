#include "tulip/coro/task_group.hpp"

#include <algorithm>

#include "tulip/coro/cancelled.hpp"

namespace tulip {

namespace {

bool is_cancelled_error(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace

void TaskGroup::enter() {
    if (entered_) throw RuntimeError("TaskGroup has already been entered");
    parent_ = current_task();
    if (!parent_) throw RuntimeError("TaskGroup cannot determine the parent task");
    loop_ = &parent_->loop();
    entered_ = true;
}

const char* TaskGroup::refusal() const noexcept {
    if (!entered_) return "TaskGroup has not been entered";
    if (exiting_ && pending_ == 0) return "TaskGroup is finished";
    if (aborting_) return "TaskGroup is shutting down";
    return nullptr;
}

void TaskGroup::add(FutureBase& task) {
    // Keep the list near the number of live children: a long-lived group that
    // starts many short tasks (a server's connections) must not grow forever.
    if (tasks_.size() >= 32 && pending_ * 2 < tasks_.size()) {
        std::erase_if(tasks_, [](const Ref<FutureBase>& t) { return t->done(); });
    }
    tasks_.emplace_back(&task);
    ++pending_;
    // asyncio's timing: the callback runs from the loop after the child is done.
    task.add_done_callback([this, t = &task] { on_task_done(*t); });
}

void TaskGroup::abort() noexcept {
    aborting_ = true;
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
        if (!tasks_[i]->done()) tasks_[i]->cancel();
    }
}

void TaskGroup::on_task_done(FutureBase& task) noexcept {
    --pending_;
    if (pending_ == 0 && on_completed_ && !on_completed_->done()) on_completed_->set_result();
    if (task.cancelled()) return;
    std::exception_ptr error = task.exception();  // retrieved: the group reports it
    if (!error) return;
    errors_.push_back(std::move(error));
    if (!aborting_ && !parent_cancel_requested_) {
        // Abort what the body awaits too; exit() uncancels the parent, so a caller
        // that catches the ExceptionGroup carries on uncancelled.
        abort();
        parent_cancel_requested_ = true;
        parent_->cancel_task({});
    }
}

Coro<void> TaskGroup::exit(std::exception_ptr body_error) {
    exiting_ = true;
    const bool body_cancelled = body_error && is_cancelled_error(body_error);
    std::exception_ptr propagate_cancellation = body_cancelled ? body_error : nullptr;
    if (body_error && !aborting_) abort();  // the task was cancelled, or the body failed

    // A loop: the parent may be cancelled again (and again) while children finish.
    std::exception_ptr pending_cancellation;
    while (pending_ > 0) {
        on_completed_.emplace(*loop_);
        try {
            co_await *on_completed_;
        } catch (const CancelledError&) {
            pending_cancellation = std::current_exception();
            if (!aborting_) {
                propagate_cancellation = pending_cancellation;  // cancelled from outside
                abort();
            }
        }
        on_completed_.reset();
    }

    if (parent_cancel_requested_) {
        // Withdraw our own request; what remains is someone else's.
        if (parent_->uncancel() == 0) {
            propagate_cancellation = nullptr;
        } else if (!propagate_cancellation) {
            propagate_cancellation = pending_cancellation;
        }
    }
    // CancelledError propagates unless there are errors: those have priority.
    if (propagate_cancellation && errors_.empty()) std::rethrow_exception(propagate_cancellation);
    if (body_error && !body_cancelled) errors_.push_back(body_error);
    if (!errors_.empty()) {
        // Cancelled from outside too: keep that request pending, for the next await.
        if (parent_->cancelling() > 0) {
            parent_->uncancel();
            parent_->cancel_task({});
        }
        throw ExceptionGroup("unhandled errors in a TaskGroup", std::move(errors_));
    }
}

}  // namespace tulip
