#include "tulip/coro/semaphore.hpp"

#include "tulip/errors.hpp"

namespace tulip {

namespace {

std::size_t checked_value(long value) {
    if (value < 0) throw ValueError("Semaphore initial value must be >= 0");
    return static_cast<std::size_t>(value);
}

}  // namespace

Semaphore::Semaphore(long value) : Semaphore(value, false) {}

Semaphore::Semaphore(long value, bool bounded)
    : permits_(checked_value(value)), bound_value_(permits_.value()), bounded_(bounded) {}

void Semaphore::release() {
    if (bounded_ && permits_.value() >= bound_value_)
        throw ValueError("BoundedSemaphore released too many times");
    permits_.give();
}

}  // namespace tulip
