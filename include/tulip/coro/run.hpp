// coro/run: running coroutines from ordinary code — loop.run_until_complete and
// asyncio.run. run(main) makes a loop, runs main to the end, cancels every task
// still pending and waits for them, then closes the loop.
#pragma once

#include <type_traits>
#include <utility>

#include "tulip/coro/task.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace detail {

template <class A>
struct is_coro : std::false_type {};
template <class T>
struct is_coro<Coro<T>> : std::true_type {};

// Cancels every pending task of `loop` and runs the loop until they have all
// finished; failures other than cancellation go to the exception handler.
void cancel_all_tasks(EventLoop& loop) noexcept;
// Runs loop.shutdown_default_executor() to the end; failures go to the exception handler.
void shutdown_default_executor(EventLoop& loop) noexcept;

}  // namespace detail

template <class Awaitable>
decltype(auto) EventLoop::run_until_complete(Awaitable&& awaitable) {
    using A = std::remove_cvref_t<Awaitable>;
    if constexpr (detail::is_coro<A>::value) {
        Task task = create_task(std::forward<Awaitable>(awaitable));
        return run_until_complete(task);
    } else {
        using T = typename A::value_type;
        Future<T> future(awaitable);
        EventLoop* self = this;
        std::size_t id = future.add_done_callback([self](const Future<T>&) { self->stop(); });
        try {
            run_forever();
        } catch (...) {
            future.remove_done_callback(id);
            throw;
        }
        future.remove_done_callback(id);
        if (!future.done()) throw RuntimeError("Event loop stopped before Future completed.");
        if constexpr (std::is_void_v<T>) {
            future.result();
        } else {
            return T(std::move(future.result()));
        }
    }
}

// asyncio.run(main): returns main's result or rethrows its exception. Before
// closing the loop it cancels the remaining tasks and joins the default executor.
template <class T>
T run(Coro<T> main, bool debug = false) {
    EventLoop loop;
    loop.set_debug(debug);
    struct Cleanup {
        EventLoop& loop;
        ~Cleanup() {
            detail::cancel_all_tasks(loop);
            detail::shutdown_default_executor(loop);
            loop.close();
        }
    } cleanup{loop};
    return loop.run_until_complete(std::move(main));
}

}  // namespace tulip
