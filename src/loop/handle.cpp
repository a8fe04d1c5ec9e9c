#include "tulip/loop/handle.hpp"

#include "tulip/loop/event_loop.hpp"

#include <fmt/format.h>

namespace tulip {

namespace {

// A per-thread free list of Handle-sized blocks: call_soon and call_later take a
// block from it and give it back when the last reference goes, so a warm loop
// makes no malloc per callback. Blocks are interchangeable between threads (a
// call_soon_threadsafe handle is made on one thread and freed on the loop's).
struct Pool {
    struct Block {
        Block* next;
    };
    Block* free = nullptr;
    bool alive = true;

    ~Pool() {
        alive = false;
        while (free) delete[] reinterpret_cast<unsigned char*>(std::exchange(free, free->next));
    }
};

thread_local Pool t_pool;

}  // namespace

Handle* Handle::allocate() {
    void* memory;
    if (t_pool.free) {
        memory = std::exchange(t_pool.free, t_pool.free->next);
    } else {
        memory = new unsigned char[sizeof(Handle)];
    }
    return ::new (memory) Handle();
}

void Handle::recycle(Handle* h) noexcept {
    if (h->drop_) h->drop_(h);
    h->~Handle();
    auto* block = reinterpret_cast<Pool::Block*>(h);
    if (!t_pool.alive) {
        delete[] reinterpret_cast<unsigned char*>(block);
        return;
    }
    block->next = t_pool.free;
    t_pool.free = block;
}

void Handle::cancel() noexcept {
    if (cancelled_) return;
    cancelled_ = true;
    // Drop the callable now, as asyncio does, so what it captured is freed early;
    // but not while it runs (a reader that removes itself): recycle() drops it then.
    if (!running_) {
        if (drop_) std::exchange(drop_, nullptr)(this);
        call_ = nullptr;
    }
    if (is_timer_ && loop_) loop_->timer_cancelled();
}

std::string& detail::failed_callback_source() noexcept {
    thread_local std::string source;
    return source;
}

void Handle::run() {
    struct Release {
        Handle* h;
        ~Release() { h->release(); }
    } release{this};
    if (cancelled_) return;
    running_ = true;
    try {
        call_(this);
    } catch (...) {
        running_ = false;
        try {
            detail::failed_callback_source() = describe();
        } catch (...) {
        }
        throw;
    }
    running_ = false;
}

std::string Handle::describe() const {
    return fmt::format("<Handle {}created at {}:{}>", cancelled_ ? "cancelled " : "", where_.file_name(),
                       where_.line());
}

}  // namespace tulip
