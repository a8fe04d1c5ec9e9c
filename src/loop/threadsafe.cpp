// EventLoop: call_soon_threadsafe, the one way in from other threads.
#include "loop/loop_impl.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

void EventLoop::push_threadsafe(Handle* h) {
    std::unique_lock lock(impl_->threadsafe_mutex);
    if (impl_->threadsafe_closed) {
        lock.unlock();
        HandleRef drop(h);  // the callable is destroyed on this thread
        throw RuntimeError("Event loop is closed");
    }
    impl_->threadsafe.push_back(h);
    // Under the lock, so that close() cannot close the eventfd between check and write.
    if (!std::exchange(impl_->wake_pending, true)) {
        std::uint64_t one = 1;
        sys::write(impl_->wake_fd, &one, sizeof one);
    }
}

void EventLoop::drain_threadsafe() {
    std::uint64_t count;
    sys::read(impl_->wake_fd, &count, sizeof count);
    {
        std::lock_guard lock(impl_->threadsafe_mutex);
        impl_->threadsafe_batch.swap(impl_->threadsafe);
        impl_->wake_pending = false;
    }
    for (Handle* h : impl_->threadsafe_batch) enqueue_new(h);
    impl_->threadsafe_batch.clear();
}

}  // namespace tulip
