// coro/task_group: asyncio.TaskGroup (3.11). C++ has no `async with`, and the exit
// must await the children, so the group's block is a body that task_group() runs
// and then exits:
//     co_await task_group([&](TaskGroup& tg) -> Coro<void> {
//         tg.create_task(fetch(a));
//         tg.create_task(fetch(b));
//         co_await something();   // the body runs in the current task
//     });                         // returns when every child is done
// The first child to fail cancels its siblings and the body (the current task,
// through cancel()/uncancel() as 3.11 does); then every error — children's, and the
// body's own — is raised as one ExceptionGroup. A cancelled child is not an error.
// Cancelling the task from outside cancels the children, waits for them, and
// propagates CancelledError. Loop thread only.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <vector>

#include "tulip/coro/ensure_future.hpp"
#include "tulip/coro/exception_group.hpp"
#include "tulip/errors.hpp"

namespace tulip {

class TaskGroup {
public:
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    // TaskGroup.create_task: a task in this group. RuntimeError once the group is
    // shutting down (a child failed, or the task was cancelled) or finished; the
    // coroutine is then dropped without running (asyncio closes it).
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name = {},
                        std::source_location where = std::source_location::current()) {
        if (const char* refused = refusal()) {
            if (auto h = coro.release()) h.destroy();
            throw RuntimeError(refused);
        }
        Task<T> task = loop_->create_task(std::move(coro), std::move(name), where);
        add(*task.state());
        return task;
    }
    template <CoroForm A>
        requires(!std::is_reference_v<A>)  // an rvalue: it is consumed
    Task<typename coro_form_t<A>::value_type> create_task(A&& aw, std::string name = {},
                                                          std::source_location where = std::source_location::current()) {
        return create_task(static_cast<coro_form_t<A>>(std::forward<A>(aw)), std::move(name), where);
    }

    // The same group, entered and exited around `body`; see task_group().
    struct Access;

private:
    friend struct Access;
    TaskGroup() noexcept {}
    ~TaskGroup() = default;

    void enter();
    Coro<void> exit(std::exception_ptr body_error);
    const char* refusal() const noexcept;
    void add(FutureBase& task);
    void on_task_done(FutureBase& task) noexcept;
    void abort() noexcept;

    EventLoop* loop_ = nullptr;
    TaskBase* parent_ = nullptr;
    std::vector<Ref<FutureBase>> tasks_;  // done ones included, until compacted
    std::size_t pending_ = 0;             // children whose done callback has not run
    std::vector<std::exception_ptr> errors_;
    std::optional<Future<void>> on_completed_;
    bool entered_ = false;
    bool exiting_ = false;
    bool aborting_ = false;
    bool parent_cancel_requested_ = false;
};

struct TaskGroup::Access {
    TaskGroup group;
    Access() noexcept {}
    void enter() { group.enter(); }
    Coro<void> exit(std::exception_ptr error) { return group.exit(std::move(error)); }
};

// `async with TaskGroup() as tg: <body>`: runs body(tg) (a callable returning a
// Coro) in the current task, then waits for every child; returns the body's result.
template <class F>
Coro<awaitable_result_t<std::invoke_result_t<F&, TaskGroup&>>> task_group(F body) {
    using R = awaitable_result_t<std::invoke_result_t<F&, TaskGroup&>>;
    TaskGroup::Access scope;
    scope.enter();
    std::exception_ptr error;
    std::optional<detail::value_or_monostate_t<R>> result;
    try {
        if constexpr (std::is_void_v<R>) {
            co_await body(scope.group);
        } else {
            result.emplace(co_await body(scope.group));
        }
    } catch (...) {
        error = std::current_exception();
    }
    co_await scope.exit(error);  // raises ExceptionGroup or CancelledError for a failed body
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) co_return std::move(*result);
}

}  // namespace tulip
