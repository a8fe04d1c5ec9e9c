// coro/as_completed: asyncio.as_completed(aws, timeout) — the results in the order
// the awaitables finish. Coros are wrapped in tasks at once.
//     auto it = as_completed(std::move(tasks), 1.0);
//     while (it) { int n = co_await it.next(); ... }   // first finished, first out
// next() returns the result or throws the exception of the next one to finish;
// after the timeout, every next() still owed (past those finished in time) throws
// TimeoutError. Nothing is cancelled, on timeout or when the object is dropped
// (asyncio leaves the tasks running too). Loop thread only.
#pragma once

#include <coroutine>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tulip/coro/ensure_future.hpp"
#include "tulip/coro/watch_set.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace detail {

// The untyped core: the order of completion, the timeout, the task waiting in next().
class CompletionQueue {
public:
    CompletionQueue(std::vector<FutureBase*> futures, std::optional<double> timeout);
    CompletionQueue(const CompletionQueue&) = delete;
    CompletionQueue& operator=(const CompletionQueue&) = delete;
    ~CompletionQueue();

    std::size_t remaining() const noexcept { return futures_.size() - taken_; }
    bool ready() const noexcept { return head_ < order_.size() || timed_out_; }
    void set_waiter(TaskBase* task) noexcept { waiter_ = task; }
    // The index of the next finished future; TimeoutError past the deadline.
    std::size_t pop();

private:
    static void on_done(void* self, std::size_t index) noexcept;
    void on_timeout() noexcept;
    void wake() noexcept;

    std::vector<FutureBase*> futures_;
    std::vector<std::size_t> order_;  // indexes, as they finished
    std::size_t head_ = 0;
    std::size_t taken_ = 0;
    WatchSet watch_;
    TimerHandle timer_;
    TaskBase* waiter_ = nullptr;
    bool timed_out_ = false;
};

}  // namespace detail

template <class T>
class AsCompleted {
public:
    AsCompleted(std::vector<Future<T>> futures, bool owned, std::optional<double> timeout)
        : futures_(std::move(futures)), queue_(std::make_unique<detail::CompletionQueue>(bases(futures_), timeout)),
          owned_(owned) {}

    // How many next() calls are owed.
    std::size_t remaining() const noexcept { return queue_->remaining(); }
    explicit operator bool() const noexcept { return remaining() > 0; }

    class NextAwaiter : TaskBase::Waiting {
    public:
        explicit NextAwaiter(AsCompleted& owner) noexcept : owner_(owner) {}
        bool await_ready() const noexcept { return owner_.queue_->ready(); }
        bool await_suspend(std::coroutine_handle<> h) {
            task_ = current_task();
            if (!task_->suspend_on(this, h)) return false;
            owner_.queue_->set_waiter(task_);
            return true;
        }
        T await_resume() {
            if (task_) {
                owner_.queue_->set_waiter(nullptr);
                task_->resumed();
            }
            Future<T>& f = owner_.futures_[owner_.queue_->pop()];
            if constexpr (std::is_void_v<T>) {
                f.result();
            } else if (owner_.owned_) {
                return std::move(f.result());
            } else {
                return detail::take_result<T, false>(f);
            }
        }

    private:
        bool cancel_wait(const std::string&) noexcept override {
            owner_.queue_->set_waiter(nullptr);
            return false;  // the futures carry on; a later next() still gets them
        }
        AsCompleted& owner_;
        TaskBase* task_ = nullptr;
    };

    // The next result to arrive (asyncio: awaiting the next item of the iterator).
    // RuntimeError when none is owed.
    NextAwaiter next() {
        if (remaining() == 0) throw RuntimeError("as_completed: every result was taken");
        return NextAwaiter(*this);
    }

private:
    static std::vector<FutureBase*> bases(const std::vector<Future<T>>& futures) {
        std::vector<FutureBase*> out;
        out.reserve(futures.size());
        for (const auto& f : futures) out.push_back(f.state());
        return out;
    }

    std::vector<Future<T>> futures_;
    std::unique_ptr<detail::CompletionQueue> queue_;  // the watch nodes point into it: it stays put
    bool owned_;
};

template <FutureLike A>
AsCompleted<awaitable_result_t<A>> as_completed(std::vector<A> aws, std::optional<double> timeout = std::nullopt) {
    using T = awaitable_result_t<A>;
    std::vector<Future<T>> futures;
    futures.reserve(aws.size());
    for (auto& a : aws) futures.push_back(ensure_future(std::move(a)));
    return AsCompleted<T>(std::move(futures), detail::awaitable_traits<A>::owned, timeout);
}

}  // namespace tulip
