// loop/handle: what the event loop runs. A ReadyNode is anything that can wait in
// the ready queue (a callback Handle, a Task); a Handle is asyncio's Handle and
// TimerHandle: a callback with a cancel flag, taken from a per-thread pool so that
// call_soon and call_later allocate nothing once the pool is warm.
// Layer 4 (loop): includes only the layers below it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

namespace tulip {

class EventLoop;

// An intrusive entry of the ready queue. The loop calls run() from run_once, the
// only place where callbacks are invoked; discard() when it drops the entry
// unrun (on close); describe() names it in error reports.
struct ReadyNode {
    ReadyNode* next = nullptr;
    bool queued = false;  // in the ready queue now: never queued twice

    virtual void run() = 0;
    virtual void discard() noexcept {}
    virtual std::string describe() const = 0;

protected:
    ~ReadyNode() = default;
};

// A scheduled callback (asyncio.Handle / TimerHandle). Reference-counted: the loop
// holds a reference while the callback is queued or armed, HandleRef another.
class Handle final : public ReadyNode {
public:
    static constexpr std::size_t inline_size = 48;  // callables up to this size need no heap

    template <class F>
    static Handle* make(F&& f) {
        using Fn = std::decay_t<F>;
        Handle* h = allocate();
        if constexpr (sizeof(Fn) <= inline_size && alignof(Fn) <= alignof(std::max_align_t)) {
            ::new (h->storage_) Fn(std::forward<F>(f));
            h->call_ = [](Handle* self) { (*std::launder(reinterpret_cast<Fn*>(self->storage_)))(); };
            h->drop_ = [](Handle* self) { std::launder(reinterpret_cast<Fn*>(self->storage_))->~Fn(); };
        } else {
            ::new (h->storage_) Fn*(new Fn(std::forward<F>(f)));
            h->call_ = [](Handle* self) { (**std::launder(reinterpret_cast<Fn**>(self->storage_)))(); };
            h->drop_ = [](Handle* self) { delete *std::launder(reinterpret_cast<Fn**>(self->storage_)); };
        }
        return h;
    }

    void cancel() noexcept;  // loop thread only; the callback will not run
    bool cancelled() const noexcept { return cancelled_; }
    // For a timer: when it fires, in the loop's time() (seconds). 0 for call_soon.
    double when() const noexcept { return static_cast<double>(when_ns_) * 1e-9; }
    std::int64_t when_ns() const noexcept { return when_ns_; }

    // Queued handles hold a reference: run() invokes the callback, then releases it.
    void run() override;
    void discard() noexcept override { release(); }
    std::string describe() const override;

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) recycle(this);
    }

private:
    friend class EventLoop;
    Handle() = default;
    ~Handle() = default;
    static Handle* allocate();
    static void recycle(Handle* h) noexcept;

    void (*call_)(Handle*) = nullptr;
    void (*drop_)(Handle*) = nullptr;
    std::source_location where_;  // where call_soon was called, for debug reports
    EventLoop* loop_ = nullptr;  // set while it is a timer, to count cancellations
    std::int64_t when_ns_ = 0;
    std::uint32_t refs_ = 0;
    bool cancelled_ = false;
    bool running_ = false;  // inside run(): cancel() must not destroy the callable under it
    bool is_timer_ = false;
    alignas(std::max_align_t) unsigned char storage_[inline_size];
};

// An owning reference to a Handle: what call_soon / call_later return.
class HandleRef {
public:
    HandleRef() = default;
    explicit HandleRef(Handle* h) noexcept : h_(h) {
        if (h_) h_->retain();
    }
    HandleRef(const HandleRef& o) noexcept : HandleRef(o.h_) {}
    HandleRef(HandleRef&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    HandleRef& operator=(HandleRef o) noexcept {
        std::swap(h_, o.h_);
        return *this;
    }
    ~HandleRef() {
        if (h_) h_->release();
    }
    void cancel() noexcept {
        if (h_) h_->cancel();
    }
    bool cancelled() const noexcept { return h_ && h_->cancelled(); }
    double when() const noexcept { return h_ ? h_->when() : 0.0; }
    explicit operator bool() const noexcept { return h_ != nullptr; }
    Handle* get() const noexcept { return h_; }

private:
    Handle* h_ = nullptr;
};

using TimerHandle = HandleRef;

namespace detail {
// When a Handle's callback throws, run() leaves the handle's description here
// before it releases the handle, since the loop cannot describe it afterwards.
std::string& failed_callback_source() noexcept;
}  // namespace detail

}  // namespace tulip
