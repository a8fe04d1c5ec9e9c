// EventLoop: hearing of descriptors closed on its thread even while it is not
// running (between two run_until_complete calls), so that a stale registration
// never outlives its file. sys::close calls one observer per thread; it tells
// every open loop that last ran on that thread.
#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "sys/syscalls.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

// The loops that hear of closes made on one thread: each open loop whose last
// run was there (usually one; several when loops take turns on the thread). The
// thread and its loops share it, so a loop closed on another thread, or after
// this one ended, can still leave it.
struct EventLoop::CloseLink {
    // Held while a loop hears of a close, so that a loop closed on another thread
    // is never told mid-destruction. Recursive: a watcher dropped by on_fd_close
    // may own a socket whose close comes back here.
    std::recursive_mutex mutex;
    std::vector<EventLoop*> loops;
};

// Called by run_forever and run_once, on the thread about to run the loop. A loop
// that last ran on another thread moves to this one (closes on the old thread are
// no longer its business: a loop is used by one thread at a time).
void EventLoop::attach_close_observer() {
    // This thread's link, made by the first loop that runs here; at thread exit
    // sys::close stops calling into it (loops may keep it a while longer).
    struct ThreadLink {
        std::shared_ptr<CloseLink> link;
        ~ThreadLink() {
            if (link) sys::set_close_observer(nullptr, nullptr);
        }
    };
    thread_local ThreadLink here;
    if (close_link_ && close_link_ == here.link) return;
    if (!here.link) {
        here.link = std::make_shared<CloseLink>();
        sys::set_close_observer(
            [](void* ctx, int fd) noexcept {
                auto* link = static_cast<CloseLink*>(ctx);
                std::lock_guard lock(link->mutex);
                // By index: a loop closed by a callback that on_fd_close dropped
                // leaves the list meanwhile.
                for (std::size_t i = 0; i < link->loops.size(); ++i) link->loops[i]->on_fd_close(fd);
            },
            here.link.get());
    }
    detach_close_observer();
    {
        std::lock_guard lock(here.link->mutex);
        here.link->loops.push_back(this);
    }
    close_link_ = here.link;
}

// From close() and the destructor, on any thread.
void EventLoop::detach_close_observer() noexcept {
    if (!close_link_) return;
    {
        std::lock_guard lock(close_link_->mutex);
        std::erase(close_link_->loops, this);
    }
    close_link_.reset();
}

}  // namespace tulip
