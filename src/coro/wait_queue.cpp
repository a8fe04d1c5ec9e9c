#include "tulip/coro/wait_queue.hpp"

#include "tulip/errors.hpp"

namespace tulip::detail {

Waiter::~Waiter() {
    if (queue_) queue_->remove(*this);
}

bool Waiter::suspend(WaitQueue& queue, std::coroutine_handle<> h, bool at_front) {
    TaskBase* task = current_task();
    if (!task) throw RuntimeError("a synchronisation primitive was awaited outside a task");
    // One loop per primitive at a time: a task of another loop (another thread)
    // could never be woken safely. asyncio binds the primitive to its first loop
    // for good; tulip checks only against the tasks waiting now, so a primitive
    // outliving one tulip::run() serves the next (no loop identity to compare).
    if (Waiter* other = queue.front(); other && &other->task_->loop() != &task->loop()) {
        throw RuntimeError("synchronisation primitive is bound to a different event loop");
    }
    task_ = task;
    if (!task->suspend_on(this, h)) return false;
    if (at_front) {
        queue.push_front(*this);
    } else {
        queue.push_back(*this);
    }
    return true;
}

bool Waiter::cancel_wait(const std::string&) noexcept {
    if (queue_) queue_->remove(*this);
    return false;  // dropped: the task wakes (or is woken already) and raises CancelledError
}

WaitQueue::~WaitQueue() {
    while (pop_front()) {
    }
}

void WaitQueue::push_back(Waiter& w) noexcept {
    w.queue_ = this;
    w.next_ = nullptr;
    w.prev_ = tail_;
    (tail_ ? tail_->next_ : head_) = &w;
    tail_ = &w;
}

void WaitQueue::push_front(Waiter& w) noexcept {
    w.queue_ = this;
    w.prev_ = nullptr;
    w.next_ = head_;
    (head_ ? head_->prev_ : tail_) = &w;
    head_ = &w;
}

Waiter* WaitQueue::pop_front() noexcept {
    Waiter* w = head_;
    if (w) remove(*w);
    return w;
}

void WaitQueue::remove(Waiter& w) noexcept {
    (w.prev_ ? w.prev_->next_ : head_) = w.next_;
    (w.next_ ? w.next_->prev_ : tail_) = w.prev_;
    w.prev_ = w.next_ = nullptr;
    w.queue_ = nullptr;
}

bool WaitQueue::signal_first() noexcept {
    Waiter* w = pop_front();
    if (w) w->signal();
    return w != nullptr;
}

}  // namespace tulip::detail
