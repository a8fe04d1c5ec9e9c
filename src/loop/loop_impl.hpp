// loop/loop_impl: the inside of an EventLoop, shared by the files that implement
// it (event_loop.cpp: running; io.cpp: descriptors; threadsafe.cpp: cross-thread
// calls; loop_services.cpp: signals and the executor). Internal.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "loop/signals.hpp"
#include "loop/timer_queue.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/loop/executor.hpp"
#include "tulip/selectors.hpp"

namespace tulip {

// What the loop knows of one descriptor. Watchers (add_reader/add_writer) are
// level-triggered; waiters (a suspended sock_* coroutine, a transport's I/O
// node) are one-shot.
struct EventLoop::FdState {
    ReadyNode* waiter[2] = {nullptr, nullptr};  // [0] read, [1] write
    // Small fields last, packed: one entry per descriptor, 24 bytes.
    std::uint8_t watching = 0;    // Events with a watcher: its handle is in Impl::watchers
    std::uint8_t registered = 0;  // Events the backend watches now
    std::uint8_t ready = 0;       // Events: an edge that came while nobody waited
    bool edge = false;      // registered edge-triggered (epoll, waiters only)
    bool hangup = false;    // an edge report said hang-up or error: readers read to EAGAIN
    bool read_drained = false;  // a short read emptied it; no read report since
    signed char stream = -1;    // SOCK_STREAM (1) or not (0); -1: not asked yet
    bool dirty = false;     // in Impl::dirty, to be synced before the next poll
};

struct EventLoop::Impl {
    BackendKind kind;
    std::unique_ptr<Selector> selector;
    EpollSelector* epoll = nullptr;  // set when the selector supports edge triggering ...
    UringSelector* uring = nullptr;  // ... (one of the two)
    std::thread::id uring_thread;    // the thread a uring loop is bound to, from its first run
    TimerQueue timers;
    std::vector<FdState> fds;
    static_assert(sizeof(FdState) <= 24);
    // The watchers' handles per descriptor, [0] read, [1] write (FdState::watching
    // says which are set): a table of their own, grown only as far as the highest
    // descriptor that has one (a server's connections never do).
    std::vector<std::array<Handle*, 2>> watchers;
    // The completion op in flight per descriptor (io_uring): a recv, or an accept
    // on a listening socket (never both: the id's kind tells); 0: none. A table
    // of its own, grown only by a uring loop: an epoll loop does not pay for it.
    std::vector<std::uint64_t> ops;
    std::vector<int> dirty;
    std::vector<EventLoop::StreamHandler*> send_queue;  // completion sends to start before the poll
    std::unique_ptr<char[]> scratch;  // see scratch_buffer()

    std::uint64_t op(int fd) const noexcept {
        auto index = static_cast<std::size_t>(fd);
        return fd >= 0 && index < ops.size() ? ops[index] : 0;
    }
    // A completion op (recv or accept) of `fd` ended: the fd may get another (its
    // handler may start one at once). Unless a newer op took its place already.
    void op_ended(int fd, std::uint64_t ended) noexcept {
        if (op(fd) == ended) ops[static_cast<std::size_t>(fd)] = 0;
    }
    // The slot for a new completion op of `fd` (a valid fd): RuntimeError if one
    // runs already.
    std::uint64_t& free_op_slot(int fd);

    // call_soon_threadsafe: other threads append here and poke the eventfd.
    std::mutex threadsafe_mutex;
    std::vector<Handle*> threadsafe;
    std::vector<Handle*> threadsafe_batch;
    int wake_fd = -1;
    bool wake_pending = false;  // guarded by threadsafe_mutex: one write per batch
    bool threadsafe_closed = false;  // guarded by threadsafe_mutex: close() began
    std::vector<LoopJob*> orphans;   // guarded by threadsafe_mutex: jobs done after close()

    std::unique_ptr<SignalHandlers> signals;  // made by the first add_signal_handler
    std::unique_ptr<ThreadPoolExecutor> executor;  // the default executor, made on first use
    std::thread executor_helper;  // joins the executor's workers for shutdown_default_executor
    bool executor_shutdown_called = false;
};

inline int direction_index(Events direction) { return direction == EVENT_READ ? 0 : 1; }
inline Events direction_at(int index) { return index == 0 ? EVENT_READ : EVENT_WRITE; }

}  // namespace tulip
