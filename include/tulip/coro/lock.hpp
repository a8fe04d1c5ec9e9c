// coro/lock: Lock, asyncio.Lock — mutual exclusion between the tasks of one loop.
// Fair: release() hands the lock to the first waiting task, so a task that calls
// acquire() meanwhile queues behind it (asyncio >= 3.10). Not reentrant, not owned
// (any task may release it, as in asyncio). Loop thread only.
#pragma once

#include "tulip/coro/acquire.hpp"

namespace tulip {

class Lock {
public:
    Lock() noexcept : permits_(1) {}
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // `co_await lock.acquire();` waits until the lock is free and takes it.
    AcquireAwaiter acquire() noexcept { return AcquireAwaiter(permits_); }
    // `auto held = co_await lock.lock();` the same, released when `held` goes (async with).
    GuardAwaiter<Lock> lock() noexcept { return GuardAwaiter<Lock>(*this, permits_); }
    // Frees the lock, or hands it to the first waiter. RuntimeError if not locked.
    void release();
    bool locked() const noexcept { return permits_.value() == 0; }

private:
    friend class Condition;
    friend class ConditionAwaiter;
    detail::Permits permits_;
};

}  // namespace tulip
