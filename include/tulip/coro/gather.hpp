// coro/gather: asyncio.gather — run awaitables concurrently and collect their
// results in argument order. Coros are wrapped in tasks at once (scheduled when
// gather is called, as in asyncio); the result is a Future (asyncio's
// _GatheringFuture): `auto [a, b] = co_await gather(f(), g());`.
//
//   gather(aws...)                    -> Future<std::tuple<R...>>
//   gather(std::vector<A>)            -> Future<std::vector<R>>
//   gather_return_exceptions(...)     -> the same with ResultOrError<R> per element
// A void result is std::monostate. Without return_exceptions the first failure
// (or a cancelled child) ends the gather at once and the other children keep
// running; cancelling the gather (or the task awaiting it) cancels every child,
// and the gather raises CancelledError once the children have finished
// (asyncio semantics). Loop thread only.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tulip/coro/ensure_future.hpp"
#include "tulip/coro/watch_set.hpp"

namespace tulip {

namespace detail {

// The message of a cancelled future's CancelledError.
std::string cancelled_message(FutureBase& future);

// What gather's two shapes (tuple, vector) share: counting finished children,
// failing early, cancellation. The subclass holds the children and builds R.
template <class R>
class GatherBase : public FutureState<R> {
public:
    GatherBase(EventLoop& loop, std::size_t count, bool return_exceptions)
        : FutureState<R>(loop), watch_(this, &GatherBase::on_done), count_(count), return_exceptions_(return_exceptions) {}

    // _GatheringFuture.cancel: cancels the children; true if any of them took it.
    bool cancel(std::string message = {}) override {
        if (this->done()) return false;
        Ref<FutureBase> keep(this);  // a plain future child finishes, and tells us, at once
        bool any = false;
        for (std::size_t i = 0; i < count_; ++i) {
            if (child(i).cancel(message)) any = true;
        }
        if (any) cancel_requested_ = true;
        return any;
    }

    // After the owner holds a reference: watch the children (some may be done).
    void start() {
        if (count_ == 0) {
            this->set_result(build());
            return;
        }
        this->retain();  // the children's: dropped when the last one is done
        watch_.reserve(count_);
        for (std::size_t i = 0; i < count_; ++i) watch_.watch(i, child(i));
    }

protected:
    virtual FutureBase& child(std::size_t index) = 0;
    virtual R build() = 0;  // every child is done

private:
    static void on_done(void* self, std::size_t index) noexcept { static_cast<GatherBase*>(self)->child_done(index); }

    void child_done(std::size_t index) noexcept {
        FutureBase& fut = child(index);
        bool last = ++finished_ == count_;
        try {
            if (this->done()) {
                if (!fut.cancelled()) fut.exception();  // marks it retrieved: gather has reported already
            } else if (!return_exceptions_ && fut.cancelled()) {
                this->FutureBase::cancel(cancelled_message(fut));
            } else if (std::exception_ptr error = return_exceptions_ || fut.cancelled() ? nullptr : fut.exception()) {
                this->set_exception(std::move(error));
            } else if (last) {
                if (cancel_requested_) {
                    this->FutureBase::cancel(fut.cancelled() ? cancelled_message(fut) : std::string());
                } else {
                    this->set_result(build());
                }
            }
        } catch (...) {
            if (!this->done()) this->set_exception(std::current_exception());  // building the results threw
        }
        if (last) this->release();  // may delete this
    }

    WatchSet watch_;
    std::size_t count_;
    std::size_t finished_ = 0;
    bool return_exceptions_;
    bool cancel_requested_ = false;
};

template <class T, bool owned, bool return_exceptions>
auto collect(const Future<T>& future) {
    if constexpr (return_exceptions) {
        return take_outcome<T, owned>(future);
    } else {
        return take_result<T, owned>(future);
    }
}

template <class T, bool return_exceptions>
using collected_t = std::conditional_t<return_exceptions, ResultOrError<T>, value_or_monostate_t<T>>;

template <bool return_exceptions, class... A>
class TupleGather final
    : public GatherBase<std::tuple<collected_t<awaitable_result_t<A>, return_exceptions>...>> {
    using R = std::tuple<collected_t<awaitable_result_t<A>, return_exceptions>...>;

public:
    TupleGather(EventLoop& loop, Future<awaitable_result_t<A>>... children)
        : GatherBase<R>(loop, sizeof...(A), return_exceptions),
          children_(std::move(children)...),
          bases_(std::apply([](auto&... f) { return std::array<FutureBase*, sizeof...(A)>{f.state()...}; }, children_)) {}

private:
    FutureBase& child(std::size_t index) override { return *bases_[index]; }
    R build() override { return build(std::index_sequence_for<A...>{}); }
    template <std::size_t... I>
    R build(std::index_sequence<I...>) {
        return R(collect<awaitable_result_t<A>, awaitable_traits<A>::owned, return_exceptions>(std::get<I>(children_))...);
    }

    std::tuple<Future<awaitable_result_t<A>>...> children_;
    std::array<FutureBase*, sizeof...(A)> bases_;
};

template <bool return_exceptions, class A>
class VectorGather final : public GatherBase<std::vector<collected_t<awaitable_result_t<A>, return_exceptions>>> {
    using T = awaitable_result_t<A>;
    using R = std::vector<collected_t<T, return_exceptions>>;

public:
    VectorGather(EventLoop& loop, std::vector<Future<T>> children)
        : GatherBase<R>(loop, children.size(), return_exceptions), children_(std::move(children)) {}

private:
    FutureBase& child(std::size_t index) override { return *children_[index].state(); }
    R build() override {
        R out;
        out.reserve(children_.size());
        for (auto& f : children_) out.push_back(collect<T, awaitable_traits<A>::owned, return_exceptions>(f));
        return out;
    }

    std::vector<Future<T>> children_;
};

template <class State, class R>
Future<R> start_gather(State* raw) {
    Ref<FutureState<R>> state(raw);
    raw->start();
    return Future<R>(std::move(state));
}

template <bool return_exceptions, class... A>
auto gather_tuple(A&&... aws) {
    using State = TupleGather<return_exceptions, std::remove_cvref_t<A>...>;
    using R = std::tuple<collected_t<awaitable_result_t<A>, return_exceptions>...>;
    // Every argument becomes a future (coros start as tasks) before the gather exists.
    // Braces: left to right, so the tasks are scheduled in argument order.
    std::tuple<Future<awaitable_result_t<A>>...> children{ensure_future(std::forward<A>(aws))...};
    EventLoop& loop = get_running_loop();
    auto* raw = std::apply([&](auto&... f) { return new State(loop, std::move(f)...); }, children);
    return start_gather<State, R>(raw);
}

template <bool return_exceptions, class A>
auto gather_vector(std::vector<A> aws) {
    using T = awaitable_result_t<A>;
    using State = VectorGather<return_exceptions, A>;
    std::vector<Future<T>> children;
    children.reserve(aws.size());
    for (auto& a : aws) children.push_back(ensure_future(std::move(a)));
    return start_gather<State, std::vector<collected_t<T, return_exceptions>>>(
        new State(get_running_loop(), std::move(children)));
}

}  // namespace detail

// asyncio.gather(*aws): the results as a tuple, in argument order.
template <FutureLike... A>
auto gather(A&&... aws) {
    return detail::gather_tuple<false>(std::forward<A>(aws)...);
}

// asyncio.gather(*aws): the results as a vector, in order.
template <FutureLike A>
auto gather(std::vector<A> aws) {
    return detail::gather_vector<false>(std::move(aws));
}

// asyncio.gather(*aws, return_exceptions=True): waits for every child; each element
// holds the child's value or its exception (CancelledError for a cancelled child).
template <FutureLike... A>
auto gather_return_exceptions(A&&... aws) {
    return detail::gather_tuple<true>(std::forward<A>(aws)...);
}

template <FutureLike A>
auto gather_return_exceptions(std::vector<A> aws) {
    return detail::gather_vector<true>(std::move(aws));
}

}  // namespace tulip
