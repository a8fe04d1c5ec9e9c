// coro/wait: asyncio.wait — wait for some of a set of tasks or futures, without
// cancelling any: `auto [done, pending] = co_await wait(tasks, 0.5, FIRST_COMPLETED);`
// The two vectors keep the input order (asyncio returns sets). A timeout only ends
// the wait; cancelling the waiting task ends it with CancelledError and leaves the
// futures alone. Loop thread only.
#pragma once

#include <coroutine>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tulip/coro/ensure_future.hpp"
#include "tulip/coro/watch_set.hpp"
#include "tulip/errors.hpp"

namespace tulip {

enum class ReturnWhen { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::FIRST_COMPLETED;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::FIRST_EXCEPTION;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::ALL_COMPLETED;

namespace detail {

// Suspends the current task until `return_when` holds for `futures`, or the timeout.
class WaitAwaiter : TaskBase::Waiting {
public:
    WaitAwaiter(std::vector<FutureBase*> futures, std::optional<double> timeout, ReturnWhen return_when);
    WaitAwaiter(const WaitAwaiter&) = delete;
    WaitAwaiter& operator=(const WaitAwaiter&) = delete;
    ~WaitAwaiter() { stop(); }  // a frame destroyed while suspended (loop closed)

    bool await_ready() noexcept;
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();

private:
    bool cancel_wait(const std::string&) noexcept override;
    static void on_done(void* self, std::size_t index) noexcept;
    bool satisfied(FutureBase& finished) noexcept;
    void release() noexcept;  // wakes the task, once
    void stop() noexcept;

    std::vector<FutureBase*> futures_;
    std::optional<double> timeout_;
    ReturnWhen return_when_;
    std::size_t left_;
    WatchSet watch_;
    TimerHandle timer_;
    TaskBase* task_ = nullptr;
    bool released_ = false;
};

template <class F>
FutureBase* future_base(const F& f) noexcept {
    return f.state();
}

}  // namespace detail

// asyncio.wait(fs, timeout=None, return_when=ALL_COMPLETED) over Tasks or Futures
// (asyncio rejects coroutines here too). ValueError if `fs` is empty.
template <class F>
Coro<std::pair<std::vector<F>, std::vector<F>>> wait(std::vector<F> fs, std::optional<double> timeout = std::nullopt,
                                                     ReturnWhen return_when = ALL_COMPLETED) {
    if (fs.empty()) throw ValueError("Set of Tasks/Futures is empty.");
    std::vector<FutureBase*> bases;
    bases.reserve(fs.size());
    for (const F& f : fs) bases.push_back(detail::future_base(f));
    co_await detail::WaitAwaiter(std::move(bases), timeout, return_when);
    std::pair<std::vector<F>, std::vector<F>> out;
    for (F& f : fs) (f.done() ? out.first : out.second).push_back(std::move(f));
    co_return out;
}

}  // namespace tulip
