// coro/acquire: what Lock, Semaphore and Condition share — a count of free permits
// handed straight to the first waiting task on release (so a newcomer cannot take
// it first: FIFO-fair), the awaiter of acquire(), and Guard, the C++ spelling of
// `async with lock:` — `auto held = co_await lock.lock();`. Loop thread only.
#pragma once

#include <cstddef>
#include <utility>

#include "tulip/coro/wait_queue.hpp"

namespace tulip {

namespace detail {

// Invariant: free permits and waiting tasks never coexist (value() > 0 implies no
// waiters), because a released permit goes to a waiter whenever there is one.
class Permits {
public:
    explicit Permits(std::size_t value) noexcept : value_(value) {}
    Permits(const Permits&) = delete;
    Permits& operator=(const Permits&) = delete;

    std::size_t value() const noexcept { return value_; }
    bool try_take() noexcept {
        if (value_ == 0) return false;
        --value_;
        return true;
    }
    // A permit comes back: to the first waiter if any (it owns the permit from now
    // on, before it runs), else to the pool.
    void give() noexcept {
        if (!waiters_.signal_first()) ++value_;
    }
    // Takes a permit for `w` now (signalling it), or queues it for the next one.
    void take_or_queue(Waiter& w) noexcept {
        if (try_take()) {
            w.signal();
        } else {
            waiters_.push_back(w);
        }
    }
    WaitQueue& waiters() noexcept { return waiters_; }

private:
    WaitQueue waiters_;
    std::size_t value_;
};

}  // namespace detail

// What acquire() returns: `co_await lock.acquire();` Returns holding one permit,
// or throws CancelledError holding none (a permit handed to a task cancelled
// before it ran goes on to the next waiter).
class AcquireAwaiter : public detail::Waiter {
public:
    explicit AcquireAwaiter(detail::Permits& permits) noexcept : permits_(permits) {}
    bool await_ready() noexcept { return permits_.try_take(); }
    bool await_suspend(std::coroutine_handle<> h) { return suspend(permits_.waiters(), h); }
    void await_resume() { resumed(); }

private:
    void cancelled_after_signal() noexcept override { permits_.give(); }

    detail::Permits& permits_;
};

// Holds an acquired Lock, Semaphore or Condition and releases it when destroyed
// (asyncio's `async with`). Movable; unlock() releases early. Releasing the
// primitive by hand while a Guard holds it is a bug (the Guard's release throws
// RuntimeError from a destructor, which terminates).
template <class M>
class [[nodiscard]] Guard {
public:
    explicit Guard(M& held) noexcept : held_(&held) {}
    Guard(Guard&& o) noexcept : held_(std::exchange(o.held_, nullptr)) {}
    Guard& operator=(Guard&& o) noexcept {
        if (this != &o) {
            unlock();
            held_ = std::exchange(o.held_, nullptr);
        }
        return *this;
    }
    ~Guard() { unlock(); }

    void unlock() {
        if (held_) std::exchange(held_, nullptr)->release();
    }
    bool owns_lock() const noexcept { return held_ != nullptr; }

private:
    M* held_;
};

// What lock() returns: acquires like acquire(), then gives a Guard.
template <class M>
class GuardAwaiter : public AcquireAwaiter {
public:
    GuardAwaiter(M& owner, detail::Permits& permits) noexcept
        : AcquireAwaiter(permits), owner_(owner) {}
    Guard<M> await_resume() {
        AcquireAwaiter::await_resume();
        return Guard<M>(owner_);
    }

private:
    M& owner_;
};

}  // namespace tulip
