// coro/semaphore: Semaphore and BoundedSemaphore, asyncio's — a counter of free
// permits; acquire() waits while it is 0. Fair like Lock: a released permit goes
// to the first waiting task. Loop thread only.
#pragma once

#include <cstddef>

#include "tulip/coro/acquire.hpp"

namespace tulip {

class Semaphore {
public:
    // ValueError if value < 0.
    explicit Semaphore(long value = 1);
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    AcquireAwaiter acquire() noexcept { return AcquireAwaiter(permits_); }
    GuardAwaiter<Semaphore> lock() noexcept { return GuardAwaiter<Semaphore>(*this, permits_); }
    // Returns a permit (to the first waiter, if any). A BoundedSemaphore raises
    // ValueError instead of growing past its initial value.
    void release();
    // True when acquire() would wait.
    bool locked() const noexcept { return permits_.value() == 0; }

protected:
    Semaphore(long value, bool bounded);

private:
    detail::Permits permits_;
    std::size_t bound_value_;  // the initial value
    bool bounded_;
};

class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(long value = 1) : Semaphore(value, true) {}
};

}  // namespace tulip
