// coro/timeouts: asyncio.timeout / timeout_at (3.11). C++ has no `async with`, and
// a destructor cannot turn a CancelledError into a TimeoutError, so the block is
// passed in and runs inline in the current task:
//     int n = co_await timeout(0.5, read_count(conn));          // any awaitable
//     co_await timeout(1.0, [&](Timeout& t) -> Coro<void> {      // or a body that
//         co_await step1(); t.reschedule(t.when().value() + 1);  // sees the scope
//         co_await step2();
//     });
// On expiry the task is cancelled (task.cancel(), as asyncio does): what the body
// awaits gets CancelledError — a Task or Future it awaits is cancelled and waited
// for — and when the body ends with that CancelledError, uncancel() shows it was
// ours and TimeoutError is raised. A cancellation from outside (cancelling()
// higher than on entry) propagates as CancelledError, even when it arrives with
// the expiry. A delay or deadline of std::nullopt means no timeout. Loop thread only.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "tulip/coro/ensure_future.hpp"

namespace tulip {

// asyncio.Timeout: the scope that timeout()/timeout_at() give the body.
class Timeout {
public:
    explicit Timeout(std::optional<double> when) noexcept : when_(when) {}
    Timeout(const Timeout&) = delete;
    Timeout& operator=(const Timeout&) = delete;
    ~Timeout() { handle_.cancel(); }

    // The deadline, in loop.time() seconds; nullopt for none.
    std::optional<double> when() const noexcept { return when_; }
    // Moves the deadline (nullopt: none). RuntimeError unless the body is running
    // and the timeout has not expired.
    void reschedule(std::optional<double> when);
    // The deadline passed and the task was cancelled for it.
    bool expired() const noexcept { return state_ == State::expiring || state_ == State::expired; }

    // The scope's edges, for timeout_at(): enter() in the task before the body;
    // exit() after it with what it threw (null if nothing): raises TimeoutError when
    // the body ended with the CancelledError this timeout caused, else returns.
    void enter();
    void exit(const std::exception_ptr& error);

private:
    enum class State : std::uint8_t { created, entered, expiring, expired, exited };
    void on_timeout() noexcept;

    std::optional<double> when_;
    TaskBase* task_ = nullptr;
    int cancelling_ = 0;
    TimerHandle handle_;
    State state_ = State::created;
};

// The TimeoutError asyncio raises (bare: errno ETIMEDOUT, empty message, as Python's).
[[noreturn]] void raise_timeout_error();

namespace detail {

template <class Body>
decltype(auto) start_body(Body& body, Timeout& scope) {
    if constexpr (std::is_invocable_v<Body&, Timeout&>) {
        return body(scope);
    } else {
        return std::move(body);
    }
}

template <class Body>
using body_result_t = awaitable_result_t<decltype(start_body(std::declval<Body&>(), std::declval<Timeout&>()))>;

template <class R, class Body>
Coro<R> run_with_timeout(std::optional<double> when, bool relative, Body body) {
    if (relative && when) when = *when + get_running_loop().time();
    Timeout scope(when);
    scope.enter();
    std::exception_ptr error;
    std::optional<value_or_monostate_t<R>> result;
    try {
        if constexpr (std::is_void_v<R>) {
            co_await start_body(body, scope);
        } else {
            result.emplace(co_await start_body(body, scope));
        }
    } catch (...) {
        error = std::current_exception();
    }
    scope.exit(error);
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) co_return std::move(*result);
}

}  // namespace detail

// asyncio.timeout(delay): runs `body` (an awaitable, or a callable taking Timeout&
// and returning one) with a deadline `delay` seconds from now.
template <class Body>
Coro<detail::body_result_t<Body>> timeout(std::optional<double> delay, Body body) {
    return detail::run_with_timeout<detail::body_result_t<Body>>(delay, true, std::move(body));
}

// asyncio.timeout_at(when): the same with a deadline in loop.time() seconds.
template <class Body>
Coro<detail::body_result_t<Body>> timeout_at(std::optional<double> when, Body body) {
    return detail::run_with_timeout<detail::body_result_t<Body>>(when, false, std::move(body));
}

}  // namespace tulip
