// coro/task: Task<T>, asyncio.Task — a coroutine scheduled on the loop, running
// concurrently with the code that made it. Awaitable (like a Future), cancellable
// (CancelledError is thrown at the co_await it is suspended on). A running task
// keeps itself alive, so `create_task(echo(conn));` without keeping the Task is
// fine; a task that failed and is dropped unread reports "Task exception was
// never retrieved". Loop thread only.
#pragma once

#include <source_location>
#include <string>
#include <vector>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/coro_form.hpp"
#include "tulip/coro/future.hpp"

namespace tulip {

template <class T>
class TaskState final : public FutureState<T>, public TaskBase, public detail::FrameAllocated {
public:
    TaskState(EventLoop& loop, typename Coro<T>::handle_type root, std::string name, std::source_location where)
        : FutureState<T>(loop), TaskBase(*this, root, std::move(name), where) {
        root.promise().root_of = this;
        this->retain();  // the task's own reference, dropped when its coroutine ends
    }

    bool cancel(std::string message = {}) override { return cancel_task(std::move(message)); }
    std::string describe() const override { return TaskBase::describe(); }

private:
    const char* kind() const noexcept override { return "Task"; }

    void on_root_done(std::coroutine_handle<> root) noexcept override {
        auto h = Coro<T>::handle_type::from_address(root.address());
        auto& promise = h.promise();
        if (cancelled_before_start()) {
            finish_cancelled();
        } else if (promise.exception) {
            try {
                std::rethrow_exception(promise.exception);
            } catch (const CancelledError& e) {
                FutureBase::cancel(e.message());
            } catch (...) {
                this->set_exception_ptr(promise.exception);
            }
        } else if constexpr (std::is_void_v<T>) {
            this->finish(FutureBase::State::finished);
        } else {
            this->slot_.set(std::move(*promise.value));
            this->finish(FutureBase::State::finished);
        }
        h.destroy();
        this->release();  // may delete this
    }
};

template <class T = void>
class Task {
public:
    using value_type = T;

    Task() = default;
    explicit Task(Ref<TaskState<T>> state) noexcept : state_(std::move(state)) {}

    bool done() const noexcept { return state_->done(); }
    bool cancelled() const noexcept { return state_->cancelled(); }
    bool cancel(std::string message = {}) { return state_->cancel(std::move(message)); }
    int cancelling() const noexcept { return state_->cancelling(); }
    int uncancel() noexcept { return state_->uncancel(); }
    std::add_lvalue_reference_t<T> result() const { return state_->result(); }
    std::exception_ptr exception() const { return state_->exception(); }
    template <class F>
    std::size_t add_done_callback(F&& callback) {
        return Future<T>(*this).add_done_callback(
            [cb = std::forward<F>(callback), s = state_.get()](const Future<T>&) mutable { cb(Task(Ref(s))); });
    }
    bool remove_done_callback(std::size_t id) { return state_->remove_done_callback(id); }
    // Not noexcept: an unnamed task makes its "Task-N" string on first use.
    const std::string& get_name() const { return state_->get_name(); }
    void set_name(std::string name) { state_->set_name(std::move(name)); }
    EventLoop& get_loop() const noexcept { return state_->get_loop(); }

    FutureAwaiter<T> operator co_await() const noexcept { return FutureAwaiter<T>(state_.get()); }
    operator Future<T>() const noexcept { return Future<T>(Ref<FutureState<T>>(state_.get())); }
    TaskState<T>* state() const noexcept { return state_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(state_); }
    friend bool operator==(const Task& a, const Task& b) noexcept { return a.state_ == b.state_; }

private:
    Ref<TaskState<T>> state_;
};

template <class T>
Task<T> EventLoop::create_task(Coro<T> coro, std::string name, std::source_location where) {
    check_open();
    Ref<TaskState<T>> state(new TaskState<T>(*this, coro.release(), std::move(name), where));
    schedule(state.get());
    return Task<T>(std::move(state));
}

// asyncio.create_task: on the running loop.
template <class T>
Task<T> create_task(Coro<T> coro, std::string name = {},
                    std::source_location where = std::source_location::current()) {
    return get_running_loop().create_task(std::move(coro), std::move(name), where);
}
template <CoroForm A>
    requires(!std::is_reference_v<A>)  // an rvalue: it is consumed
Task<typename coro_form_t<A>::value_type> create_task(A&& aw, std::string name = {},
                                                      std::source_location where = std::source_location::current()) {
    return get_running_loop().create_task(std::forward<A>(aw), std::move(name), where);
}

// asyncio.all_tasks(): the tasks of this thread's loop that are not done.
std::vector<TaskBase*> all_tasks();

}  // namespace tulip
