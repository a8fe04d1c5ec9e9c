// coro/shield: asyncio.shield(aw) — a Future that follows `aw` but whose
// cancellation does not reach it: cancelling the task awaiting the shield gives
// that task CancelledError while the inner work (a Coro is wrapped in a Task)
// carries on. If the inner is cancelled itself, the shield is cancelled too.
// Loop thread only.
#pragma once

#include <string>
#include <utility>

#include "tulip/coro/ensure_future.hpp"
#include "tulip/coro/watch_set.hpp"

namespace tulip {

namespace detail {

std::string cancelled_message(FutureBase& future);  // gather.cpp

template <class T, bool owned>
class ShieldState final : public FutureState<T> {
public:
    explicit ShieldState(Future<T> inner)
        : FutureState<T>(inner.get_loop()), inner_(std::move(inner)), watch_(this, &ShieldState::on_done) {}

    void start() {
        this->retain();  // while watching the inner future
        watch_.reserve(1);
        watch_.watch(0, *inner_.state());
    }

    // Cancels the shield only: the inner future is left alone, and forgotten.
    bool cancel(std::string message = {}) override {
        Ref<FutureBase> keep(this);
        if (!FutureBase::cancel(std::move(message))) return false;
        watch_.unwatch_all();
        this->release();  // the watch's reference
        return true;
    }

private:
    static void on_done(void* self, std::size_t) noexcept { static_cast<ShieldState*>(self)->inner_done(); }

    void inner_done() noexcept {
        FutureBase& inner = *inner_.state();
        try {
            if (inner.cancelled()) {
                FutureBase::cancel(cancelled_message(inner));
            } else if (std::exception_ptr error = inner.exception()) {
                this->set_exception(std::move(error));
            } else if constexpr (std::is_void_v<T>) {
                this->set_result();
            } else {
                this->set_result(take_result<T, owned>(inner_));
            }
        } catch (...) {
            if (!this->done()) this->set_exception(std::current_exception());  // copying the result threw
        }
        this->release();  // may delete this
    }

    Future<T> inner_;
    WatchSet watch_;
};

}  // namespace detail

template <FutureLike A>
Future<awaitable_result_t<A>> shield(A&& aw) {
    using T = awaitable_result_t<A>;
    using State = detail::ShieldState<T, detail::awaitable_traits<std::remove_cvref_t<A>>::owned>;
    Future<T> inner = ensure_future(std::forward<A>(aw));
    if (inner.done()) return inner;
    Ref<FutureState<T>> state(new State(std::move(inner)));
    static_cast<State*>(state.get())->start();
    return Future<T>(std::move(state));
}

}  // namespace tulip
