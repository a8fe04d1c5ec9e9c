// common/stop_signal: SIGINT and SIGTERM as an orderly stop, for servers that block.
//
// Why not a signal handler: a handler may do almost nothing, and the blocking
// models sit in accept()/recv() in several threads, which a flag alone never
// wakes. So the signals are blocked in every thread and one thread sigwait()s
// for them; on a signal it sets the flag and shuts down (SHUT_RDWR) every
// descriptor that was watched. That wakes accept() (EINVAL), recv() (EOF) and
// select/poll/epoll (the fd becomes readable), and the serving code sees
// stop_requested() and unwinds, closing its sockets as it goes. A signal
// again, more than a second after the first, exits at once (128 + signal).
//
// Thread affinity: any thread. Construct it first in main(), before any other
// thread exists, so that every thread inherits the blocked signals.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace examples {

class StopSignal {
public:
    StopSignal();   // blocks SIGINT and SIGTERM and starts the waiting thread
    ~StopSignal();  // stops and joins the waiting thread
    StopSignal(const StopSignal&) = delete;
    StopSignal& operator=(const StopSignal&) = delete;

    bool stop_requested() const noexcept { return stop_requested_.load(); }
    // What a signal does: sets the flag, then shuts down every watched fd.
    void request_stop();

    // Shut `fd` down on stop (at once if the stop came already). Unwatch it
    // before closing it, so that a reused descriptor number is never hit.
    void watch(int fd);
    void unwatch(int fd);

    // Watches an fd for its lifetime. Declare it after the socket it guards,
    // so that it is destroyed (unwatches) before the socket closes.
    class Watch {
    public:
        Watch() = default;
        Watch(StopSignal& stop, int fd) : stop_(&stop), fd_(fd) { stop.watch(fd); }
        Watch(Watch&& other) noexcept : stop_(other.stop_), fd_(other.fd_) {
            other.stop_ = nullptr;
        }
        Watch& operator=(Watch&& other) noexcept;
        ~Watch() { release(); }

    private:
        void release() noexcept;
        StopSignal* stop_ = nullptr;
        int fd_ = -1;
    };

private:
    void wait_for_signal();

    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> closing_{false};  // set by the destructor to end the waiting thread
    std::mutex mutex_;
    std::set<int> watched_;  // guarded by mutex_
    std::thread waiter_;
};

}  // namespace examples
