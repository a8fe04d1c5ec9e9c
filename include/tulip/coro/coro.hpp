// coro/coro: Coro<T>, what an `async def` returns. Lazy: nothing runs until it is
// awaited, and then it runs in the awaiting task, with symmetric transfer in and
// out (no stack growth). Awaited once, as an rvalue: `co_await f();`. A Coro
// destroyed without being awaited reports "coroutine ... was never awaited".
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "tulip/coro/frame_allocator.hpp"
#include "tulip/coro/task_base.hpp"

namespace tulip {

namespace detail {

// The untyped half of a Coro's promise.
struct PromiseBase : FrameAllocated {
    explicit PromiseBase(std::source_location where) noexcept : where(where) {}

    std::coroutine_handle<> continuation;  // the awaiting coroutine; null for a task's root
    TaskBase* root_of = nullptr;           // the task whose root coroutine this is
    std::exception_ptr exception;
    std::source_location where;  // the coroutine function, for reports
    bool started = false;

    struct Initial {
        PromiseBase* promise;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        void await_resume() const noexcept { promise->started = true; }
    };
    struct Final {
        bool await_ready() const noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
            PromiseBase& p = h.promise();
            if (p.continuation) return transfer(p.continuation);
            if (p.root_of) TaskBase::root_finished(p.root_of, h);  // may destroy h
            return std::noop_coroutine();
        }
        void await_resume() const noexcept {}
    };

    Initial initial_suspend() noexcept { return Initial{this}; }
    Final final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }
};

template <class T>
struct Promise : PromiseBase {
    using PromiseBase::PromiseBase;
    std::optional<T> value;
    template <class U = T>
    void return_value(U&& v) {
        value.emplace(std::forward<U>(v));
    }
    T take() {
        if (exception) std::rethrow_exception(exception);
        return std::move(*value);
    }
};

template <>
struct Promise<void> : PromiseBase {
    using PromiseBase::PromiseBase;
    void return_void() noexcept {}
    void take() {
        if (exception) std::rethrow_exception(exception);
    }
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] Coro {
public:
    using value_type = T;

    struct promise_type : detail::Promise<T> {
        // The default argument names the coroutine function itself (both clang and g++).
        explicit promise_type(std::source_location where = std::source_location::current()) noexcept
            : detail::Promise<T>(where) {}
        template <class... Args>
        explicit promise_type(Args&&..., std::source_location where = std::source_location::current()) noexcept
            : detail::Promise<T>(where) {}
        Coro get_return_object() noexcept { return Coro(std::coroutine_handle<promise_type>::from_promise(*this)); }
    };
    using handle_type = std::coroutine_handle<promise_type>;

    Coro() = default;
    Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Coro& operator=(Coro&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~Coro() { reset(); }

    struct Awaiter {
        handle_type h;
        explicit Awaiter(handle_type handle) noexcept : h(handle) {}
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
            h.promise().continuation = parent;
            return detail::transfer(h);
        }
        T await_resume() { return h.promise().take(); }
    };
    Awaiter operator co_await() && noexcept { return Awaiter(h_); }

    explicit operator bool() const noexcept { return static_cast<bool>(h_); }
    // For create_task: hands the frame over.
    handle_type release() noexcept { return std::exchange(h_, {}); }

private:
    explicit Coro(handle_type h) noexcept : h_(h) {}
    void reset() noexcept {
        if (!h_) return;
        if (!h_.promise().started) detail::report_never_awaited(h_.promise().where);
        std::exchange(h_, {}).destroy();
    }

    handle_type h_;
};

}  // namespace tulip
