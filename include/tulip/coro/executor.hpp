// coro/executor: loop.run_in_executor, the Future-typed side of the loop's
// default executor (tulip/loop/executor.hpp): a blocking call runs on a worker
// thread and its result or exception arrives in a Future on the loop thread.
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/future.hpp"
#include "tulip/loop/executor.hpp"

namespace tulip {

namespace detail {

// A call on the executor: the Future's state is touched only on the loop thread
// (its reference count is not atomic): made there, moved through the job, and
// released there by finish() or by the loop that keeps the job after close().
template <class F, class R>
class ExecutorCall final : public LoopJob {
public:
    ExecutorCall(EventLoop& loop, F func, Ref<FutureState<R>> state)
        : LoopJob(loop), func_(std::move(func)), state_(std::move(state)) {}

private:
    void work() noexcept override {
        try {
            if constexpr (std::is_void_v<R>) {
                func_();
            } else {
                value_.emplace(func_());
            }
        } catch (...) {
            error_ = std::current_exception();
        }
    }
    void finish() noexcept override {
        if (state_->done()) return;  // cancelled meanwhile: the outcome is dropped, as in asyncio
        try {
            if (error_) {
                state_->set_exception(error_);
            } else if constexpr (std::is_void_v<R>) {
                state_->set_result();
            } else {
                state_->set_result(std::move(*value_));
            }
        } catch (...) {
            if (!state_->done()) state_->set_exception(std::current_exception());
        }
    }

    F func_;
    Ref<FutureState<R>> state_;
    std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> value_{};
    std::exception_ptr error_;
};

}  // namespace detail

// A job still queued when the future is cancelled runs anyway and its result is
// dropped (asyncio would cancel the concurrent future before it starts).
template <class F>
Future<std::remove_cvref_t<std::invoke_result_t<std::decay_t<F>&>>> EventLoop::run_in_executor(F&& func) {
    using R = std::remove_cvref_t<std::invoke_result_t<std::decay_t<F>&>>;
    ThreadPoolExecutor& executor = default_executor();  // RuntimeError if closed or shut down
    Future<R> future(*this);
    auto* job = new detail::ExecutorCall<std::decay_t<F>, R>(*this, std::forward<F>(func),
                                                             Ref<FutureState<R>>(future.state()));
    try {
        executor.submit(job);
    } catch (...) {
        delete job;
        throw;
    }
    return future;
}

// asyncio.to_thread's core, on the running loop: run_in_executor(func).
template <class F>
auto run_in_executor(F&& func) {
    return get_running_loop().run_in_executor(std::forward<F>(func));
}

}  // namespace tulip
