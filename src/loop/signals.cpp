#include "loop/signals.hpp"

#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>

#include <fmt/format.h>

#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

namespace {

// Process-wide, as signal dispositions are. The handler reads only lock-free
// atomics and calls only write(2): async-signal-safe.
struct Slot {
    std::atomic<int> fd{-1};            // the owning loop's eventfd; -1 when nobody handles it
    std::atomic<bool> pending{false};  // arrived since the owner's reader last looked
    const SignalHandlers* owner = nullptr;  // guarded by g_owner_mutex
};
Slot g_slots[NSIG];
std::atomic<int> g_in_handler{0};  // handlers running now, so an eventfd is not closed under one
std::mutex g_owner_mutex;

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

void on_signal(int sig) {
    int saved_errno = errno;
    g_in_handler.fetch_add(1, std::memory_order_acq_rel);
    int fd = g_slots[sig].fd.load(std::memory_order_acquire);
    if (fd >= 0) {
        // Flag first, then wake: the reader drains the eventfd before it reads the
        // flags, so a signal is either seen now or wakes the loop once more.
        g_slots[sig].pending.store(true, std::memory_order_release);
        std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof one);  // raw: sys:: may lock (fault injection)
    }
    g_in_handler.fetch_sub(1, std::memory_order_acq_rel);
    errno = saved_errno;
}

void check_signal(int sig) {
    if (sig < 1 || sig >= NSIG) throw ValueError(fmt::format("invalid signal number {}", sig));
}

}  // namespace

SignalHandlers::SignalHandlers(EventLoop& loop) : loop_(loop), fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) raise_os_error(errno, "eventfd");
    try {
        loop_.add_reader(fd_, [this] { dispatch(); });
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

SignalHandlers::~SignalHandlers() {
    for (int sig = 1; sig < NSIG; ++sig) {
        if (handlers_[sig]) remove(sig);
    }
    loop_.remove_reader(fd_);
    // A handler on another thread may have read our fd just before remove() cleared it.
    while (g_in_handler.load(std::memory_order_acquire) != 0) sched_yield();
    ::close(fd_);
}

void SignalHandlers::add(int sig, Handle* callback) {
    HandleRef owned(callback);  // released if we throw
    check_signal(sig);
    std::lock_guard lock(g_owner_mutex);
    Slot& slot = g_slots[sig];
    if (slot.owner != nullptr && slot.owner != this) {
        throw RuntimeError(fmt::format("signal {} is handled by another event loop", sig));
    }
    if (Handle* old = handlers_[sig]) {
        old->cancel();  // if it is queued now, it will not run
        old->release();
    } else {
        slot.pending.store(false, std::memory_order_relaxed);  // nothing left from an earlier owner
        slot.fd.store(fd_, std::memory_order_release);
        struct sigaction action {};
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;  // asyncio: siginterrupt(sig, False)
        if (::sigaction(sig, &action, nullptr) != 0) {
            int err = errno;
            slot.fd.store(-1, std::memory_order_release);
            if (err == EINVAL) throw RuntimeError(fmt::format("sig {} cannot be caught", sig));
            raise_os_error(err, "sigaction");
        }
        slot.owner = this;
    }
    callback->retain();
    handlers_[sig] = callback;
}

bool SignalHandlers::remove(int sig) {
    check_signal(sig);
    Handle* h = handlers_[sig];
    if (!h) return false;
    handlers_[sig] = nullptr;
    h->cancel();
    h->release();
    // asyncio restores SIG_DFL (for SIGINT, Python's default handler, which is the
    // C++ program's SIG_DFL: the process is interrupted).
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(sig, &action, nullptr);
    std::lock_guard lock(g_owner_mutex);
    g_slots[sig].fd.store(-1, std::memory_order_release);
    g_slots[sig].owner = nullptr;
    return true;
}

void SignalHandlers::dispatch() {
    std::uint64_t count;
    sys::read(fd_, &count, sizeof count);  // drain before reading the flags (see on_signal)
    for (int sig = 1; sig < NSIG; ++sig) {
        Handle* h = handlers_[sig];
        if (!h || !g_slots[sig].pending.exchange(false, std::memory_order_acq_rel)) continue;
        if (!h->queued) {
            h->retain();  // the queue's reference; coalesced if still queued from last time
            loop_.schedule(h);
        }
    }
}

}  // namespace tulip
