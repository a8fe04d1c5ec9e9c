// coro/condition: Condition, asyncio.Condition — tasks wait, holding a Lock, until
// another task notifies them. wait() releases the lock, sleeps, and returns
// holding it again; even a cancelled wait takes the lock back before it raises
// CancelledError. A notified waiter goes straight to the lock's queue (no
// wake-up just to queue for the lock). Loop thread only.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/lock.hpp"

namespace tulip {

class Condition;

// What Condition::wait() returns: `co_await cond.wait();`.
class ConditionAwaiter : public detail::Waiter {
public:
    explicit ConditionAwaiter(Condition& cond) noexcept : cond_(cond) {}
    bool await_ready() const;  // RuntimeError if the lock is not held
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();

private:
    friend class Condition;
    void notified() noexcept;
    bool cancel_wait(const std::string& message) noexcept override;

    Condition& cond_;
    std::string message_;    // of the cancellation, raised once the lock is back
    bool notified_ = false;  // moved to the lock's queue by notify()
    bool cancelled_ = false;
};

class Condition {
public:
    // With a lock of its own, or sharing `lock` (which must outlive it).
    Condition() noexcept : lock_(&own_lock_) {}
    explicit Condition(Lock& lock) noexcept : lock_(&lock) {}
    Condition(const Condition&) = delete;
    Condition& operator=(const Condition&) = delete;

    AcquireAwaiter acquire() noexcept { return lock_->acquire(); }
    GuardAwaiter<Condition> lock() noexcept {
        return GuardAwaiter<Condition>(*this, lock_->permits_);
    }
    void release() { lock_->release(); }
    bool locked() const noexcept { return lock_->locked(); }

    // Releases the lock, waits for notify(), takes the lock back. Needs the lock
    // held (RuntimeError, "cannot wait on un-acquired lock"). Returns or raises
    // CancelledError holding the lock.
    ConditionAwaiter wait() noexcept { return ConditionAwaiter(*this); }
    // Waits until predicate() is truthy (checked first, then after every wake-up);
    // returns its last value.
    template <class Predicate>
    Coro<std::decay_t<std::invoke_result_t<Predicate&>>> wait_for(Predicate predicate) {
        auto result = predicate();
        while (!result) {
            co_await wait();
            result = predicate();
        }
        co_return result;
    }
    // Wakes up to n waiters, in the order they waited. Needs the lock held
    // (RuntimeError, "cannot notify on un-acquired lock").
    void notify(std::size_t n = 1);
    void notify_all();

private:
    friend class ConditionAwaiter;
    void wake(std::size_t n) noexcept;

    Lock own_lock_;
    Lock* lock_;
    detail::WaitQueue waiters_;
};

}  // namespace tulip
