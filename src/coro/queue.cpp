#include "tulip/coro/queue.hpp"

#include "tulip/errors.hpp"

namespace tulip::detail {

void QueueBase::task_done() {
    if (unfinished_tasks_ == 0) throw ValueError("task_done() called too many times");
    if (--unfinished_tasks_ == 0) finished_.set();
}

void QueueBase::added() noexcept {
    ++size_;
    ++unfinished_tasks_;
    finished_.clear();
    wake_waiters();
}

void QueueBase::removed() noexcept {
    --size_;
    wake_waiters();
}

// Wakes as many waiters as there are items (free slots) not yet promised to a
// woken one; called whenever either count changes.
void QueueBase::wake_waiters() noexcept {
    while (may_get() && getters_.signal_first()) ++woken_getters_;
    while (may_put() && putters_.signal_first()) ++woken_putters_;
}

}  // namespace tulip::detail
