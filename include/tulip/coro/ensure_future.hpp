// coro/ensure_future: asyncio.ensure_future — what gather, wait_for, shield and
// as_completed accept: a Coro (wrapped in a Task, so it runs concurrently) or what
// stands for one (coro_form.hpp), a Task or a Future, all seen as a Future<T>.
// Also the traits those functions share.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include "tulip/coro/coro_form.hpp"
#include "tulip/coro/task.hpp"

namespace tulip {

namespace detail {

template <class A>
struct awaitable_traits {};  // only Coro (and its stand-ins), Task and Future are accepted
template <CoroForm A>
struct awaitable_traits<A> : awaitable_traits<coro_form_t<A>> {};
template <class T>
struct awaitable_traits<Coro<T>> {
    using value_type = T;
    static constexpr bool owned = true;  // nobody else sees the task made for it
};
template <class T>
struct awaitable_traits<Task<T>> {
    using value_type = T;
    static constexpr bool owned = false;
};
template <class T>
struct awaitable_traits<Future<T>> {
    using value_type = T;
    static constexpr bool owned = false;
};

// A void result stands as std::monostate where results are collected (Python's None).
template <class T>
using value_or_monostate_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

}  // namespace detail

template <class A>
using awaitable_result_t = typename detail::awaitable_traits<std::remove_cvref_t<A>>::value_type;

// What gather, wait_for, shield and as_completed accept: a Coro (or a CoroForm), a
// Task or a Future.
template <class A>
concept FutureLike = requires { typename awaitable_result_t<A>; };

// One result of gather_return_exceptions: the value (std::monostate for void), or
// the exception the awaitable ended with (a CancelledError if it was cancelled).
template <class T>
using ResultOrError = std::variant<detail::value_or_monostate_t<T>, std::exception_ptr>;

// asyncio.ensure_future: a Coro becomes a Task on the running loop (scheduled now);
// a Task or a Future is returned as is. Loop thread only.
template <class T>
Future<T> ensure_future(Coro<T> coro) {
    return create_task(std::move(coro));
}
template <CoroForm A>
    requires(!std::is_reference_v<A>)  // an rvalue: it is consumed
Future<typename coro_form_t<A>::value_type> ensure_future(A&& aw) {
    return create_task(static_cast<coro_form_t<A>>(std::forward<A>(aw)));
}
template <class T>
Future<T> ensure_future(const Task<T>& task) noexcept {
    return task;
}
template <class T>
Future<T> ensure_future(Future<T> future) noexcept {
    return future;
}

namespace detail {

// The result of a done future, for a collection: moved out of a future nobody else
// sees (`owned`), else copied when it can be (a user's Task keeps its result).
template <class T, bool owned>
value_or_monostate_t<T> take_result(const Future<T>& future) {
    if constexpr (std::is_void_v<T>) {
        future.result();
        return {};
    } else if constexpr (owned || !std::is_copy_constructible_v<T>) {
        return std::move(future.result());
    } else {
        return future.result();
    }
}

template <class T, bool owned>
ResultOrError<T> take_outcome(const Future<T>& future) {
    if (future.cancelled()) {
        try {
            future.result();  // throws the CancelledError, with its message
        } catch (...) {
            return std::current_exception();
        }
    }
    if (std::exception_ptr error = future.exception()) return error;
    return ResultOrError<T>(std::in_place_index<0>, take_result<T, owned>(future));
}

}  // namespace detail

}  // namespace tulip
