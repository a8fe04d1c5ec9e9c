#include "tulip/coro/event.hpp"

namespace tulip {

void Event::set() noexcept {
    if (value_) return;
    value_ = true;
    while (waiters_.signal_first()) {
    }
}

}  // namespace tulip
