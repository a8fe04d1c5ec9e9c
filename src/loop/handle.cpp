#include "tulip/loop/handle.hpp"

#include "tulip/loop/block_cache.hpp"
#include "tulip/loop/event_loop.hpp"

#include <fmt/format.h>

namespace tulip {

Handle* Handle::allocate() { return ::new (detail::allocate_block(sizeof(Handle))) Handle(); }

void Handle::recycle(Handle* h) noexcept {
    if (h->drop_) h->drop_(h);
    h->~Handle();
    detail::free_block(h, sizeof(Handle));
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
