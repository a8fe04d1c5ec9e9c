#include "tulip/loop/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "loop/signals.hpp"
#include "loop/timer_queue.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"
#include "tulip/loop/executor.hpp"
#include "tulip/selectors.hpp"

namespace tulip {

namespace {

thread_local EventLoop* t_running = nullptr;

// How many callbacks may run before the backend is polled again while the ready
// queue never empties (Tokio's event_interval): I/O is never starved, and a chain
// of call_soon costs one zero-timeout poll per 61 callbacks, not one per callback.
constexpr std::size_t event_interval = 61;

BackendKind backend_from_env() {
    const char* name = std::getenv("TULIP_BACKEND");
    if (name == nullptr || *name == '\0' || std::strcmp(name, "epoll") == 0) return BackendKind::epoll;
    if (std::strcmp(name, "poll") == 0) return BackendKind::poll;
    if (std::strcmp(name, "select") == 0) return BackendKind::select;
    throw ValueError(fmt::format("TULIP_BACKEND={} is not a backend (epoll, poll, select)", name));
}

}  // namespace

// What the loop knows of one descriptor. Watchers (add_reader/add_writer) are
// level-triggered; waiters (a suspended sock_* coroutine) are one-shot.
struct EventLoop::FdState {
    Handle* watcher[2] = {nullptr, nullptr};      // [0] read, [1] write
    ReadyNode* waiter[2] = {nullptr, nullptr};
    Events registered = 0;  // what the backend watches now
    bool edge = false;      // registered edge-triggered (epoll, waiters only)
    bool dirty = false;     // in Impl::dirty, to be synced before the next poll
};

struct EventLoop::Impl {
    BackendKind kind;
    std::unique_ptr<Selector> selector;
    EpollSelector* epoll = nullptr;  // set when the selector supports edge triggering
    TimerQueue timers;
    std::vector<FdState> fds;
    std::vector<int> dirty;
    std::unique_ptr<char[]> scratch;  // see scratch_buffer()

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

static int direction_index(Events direction) { return direction == EVENT_READ ? 0 : 1; }

EventLoop::EventLoop(BackendKind backend) : impl_(std::make_unique<Impl>()) {
    if (backend == BackendKind::automatic) backend = backend_from_env();
    impl_->kind = backend;
    switch (backend) {
        case BackendKind::poll:
            impl_->selector = std::make_unique<PollSelector>();
            break;
        case BackendKind::select:
            impl_->selector = std::make_unique<SelectSelector>();
            break;
        default: {
            auto epoll = std::make_unique<EpollSelector>();
            impl_->epoll = epoll.get();
            impl_->selector = std::move(epoll);
        }
    }
    impl_->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (impl_->wake_fd < 0) raise_os_error(errno, "eventfd");
    add_reader(impl_->wake_fd, [this] { drain_threadsafe(); });
}

EventLoop::~EventLoop() {
    if (!closed_ && !running_) close();
    // Executor threads hold this loop: join them before it goes, then free the
    // jobs they finished after close() (their futures belong to this thread).
    join_executor_helper();
    impl_->executor.reset();
    for (LoopJob* job : impl_->orphans) delete job;
}

const char* EventLoop::backend_name() const noexcept {
    switch (impl_->kind) {
        case BackendKind::poll:
            return "poll";
        case BackendKind::select:
            return "select";
        default:
            return "epoll";
    }
}

std::span<char> EventLoop::scratch_buffer() {
    constexpr std::size_t size = 256 * 1024;  // asyncio reads up to 256 KiB at a time
    if (!impl_->scratch) impl_->scratch.reset(new char[size]);
    return {impl_->scratch.get(), size};
}

std::int64_t EventLoop::time_ns() const noexcept { return sys::monotonic_ns(); }

std::int64_t EventLoop::seconds_to_ns(double seconds) noexcept {
    if (!(seconds > 0)) return 0;  // also NaN
    if (seconds > 9e9) return std::int64_t{9'000'000'000} * 1'000'000'000;
    return static_cast<std::int64_t>(std::llround(seconds * 1e9));
}

void EventLoop::check_open() const {
    if (closed_) throw RuntimeError("Event loop is closed");
}

// ---- The ready queue ----

void EventLoop::schedule(ReadyNode* node) noexcept {
    if (node->queued) return;
    node->queued = true;
    node->next = nullptr;
    if (ready_tail_) {
        ready_tail_->next = node;
    } else {
        ready_head_ = node;
    }
    ready_tail_ = node;
    ++ready_count_;
}

void EventLoop::enqueue_new(Handle* h) noexcept {
    h->retain();  // the queue's reference, released after the callback ran
    schedule(h);
}

void EventLoop::run_ready_node(ReadyNode* node) {
    try {
        node->run();
    } catch (...) {
        // Not node->describe(): run() may have released the node (a Handle, a
        // transport's I/O node) as the exception left it. A Handle leaves its
        // description behind; other nodes report without one.
        std::string source = std::exchange(detail::failed_callback_source(), {});
        call_exception_handler({"Exception in callback", std::current_exception(), std::move(source)});
    }
}

// ---- Timers ----

void EventLoop::add_timer(Handle* h, std::int64_t when_ns) {
    check_open();
    h->retain();  // the heap's reference
    h->when_ns_ = when_ns;
    h->is_timer_ = true;
    h->loop_ = this;
    impl_->timers.push(h, when_ns);
}

void EventLoop::timer_cancelled() noexcept { impl_->timers.note_cancelled(); }

// ---- Descriptors ----

EventLoop::FdState& EventLoop::fd_state(int fd) {
    if (fd < 0) throw ValueError(fmt::format("invalid file descriptor {}", fd));
    auto index = static_cast<std::size_t>(fd);
    if (index >= impl_->fds.size()) impl_->fds.resize(std::max(index + 1, impl_->fds.size() * 2));
    return impl_->fds[index];
}

void EventLoop::mark_dirty(int fd) {
    FdState& s = impl_->fds[static_cast<std::size_t>(fd)];
    if (!s.dirty) {
        s.dirty = true;
        impl_->dirty.push_back(fd);
    }
}

bool EventLoop::set_watcher(int fd, Events direction, Handle* h) {
    HandleRef owned(h);  // frees a new handle if we throw (closed loop, bad fd)
    if (h) check_open();
    FdState& s = fd_state(fd);
    Handle*& slot = s.watcher[direction_index(direction)];
    bool had = slot != nullptr;
    if (slot) {
        slot->cancel();
        slot->release();
    }
    slot = h;
    if (h) h->retain();
    mark_dirty(fd);
    return had;
}

void EventLoop::wait_io(int fd, Events direction, ReadyNode* waiter) {
    FdState& s = fd_state(fd);
    s.waiter[direction_index(direction)] = waiter;
    // Already registered edge-triggered for both directions: nothing to change.
    if (!s.edge) mark_dirty(fd);
}

bool EventLoop::cancel_io(int fd, Events direction, ReadyNode* waiter) noexcept {
    if (fd < 0 || static_cast<std::size_t>(fd) >= impl_->fds.size()) return false;
    FdState& s = impl_->fds[static_cast<std::size_t>(fd)];
    ReadyNode*& slot = s.waiter[direction_index(direction)];
    if (slot != waiter) return false;  // already woken
    slot = nullptr;
    if (!s.edge) mark_dirty(fd);
    return true;
}

// Makes the backend watch `fd` as its watchers and waiters need. On epoll a
// descriptor used only by waiters is registered once, edge-triggered for both
// directions, and left so until it is closed; otherwise the registration follows
// what is wanted now, level-triggered (poll and select change it without a syscall).
void EventLoop::sync_fd(int fd) {
    FdState& s = impl_->fds[static_cast<std::size_t>(fd)];
    s.dirty = false;
    Events watchers = (s.watcher[0] ? EVENT_READ : 0) | (s.watcher[1] ? EVENT_WRITE : 0);
    Events waiters = (s.waiter[0] ? EVENT_READ : 0) | (s.waiter[1] ? EVENT_WRITE : 0);
    bool edge = impl_->epoll != nullptr && watchers == 0 && (waiters != 0 || s.edge);
    Events want = edge ? (EVENT_READ | EVENT_WRITE) : (watchers | waiters);
    if (want == s.registered && edge == s.edge) return;

    Selector& sel = *impl_->selector;
    if (s.registered != 0 && (want == 0 || edge != s.edge)) {
        sel.remove(fd);
        s.registered = 0;
    }
    s.edge = edge;
    if (want == 0) return;
    if (s.registered == 0) {
        if (edge) {
            impl_->epoll->add(fd, want, nullptr, Trigger::edge);
        } else {
            sel.add(fd, want);
        }
    } else {
        sel.modify(fd, want);
    }
    s.registered = want;
}

// A descriptor is about to be closed on this thread: take it out of the backend
// first, so that an event for the old file never reaches the number's next owner.
void EventLoop::on_fd_close(int fd) noexcept {
    if (fd < 0 || static_cast<std::size_t>(fd) >= impl_->fds.size()) return;
    FdState& s = impl_->fds[static_cast<std::size_t>(fd)];
    if (s.registered != 0) {
        try {
            impl_->selector->remove(fd);
        } catch (...) {
        }
    }
    for (int i = 0; i < 2; ++i) {
        if (s.watcher[i]) {
            s.watcher[i]->cancel();
            s.watcher[i]->release();
        }
        // A waiter resumes and finds its socket closed (EBADF) rather than hanging.
        if (s.waiter[i]) schedule(s.waiter[i]);
    }
    bool was_dirty = s.dirty;
    s = FdState{};
    s.dirty = was_dirty;  // still listed in Impl::dirty; syncing a blank state is a no-op
}

void EventLoop::close_observer(void* self, int fd) noexcept { static_cast<EventLoop*>(self)->on_fd_close(fd); }

void EventLoop::poll_io(std::int64_t timeout_ns) {
    for (int fd : impl_->dirty) sync_fd(fd);
    impl_->dirty.clear();
    for (const Ready& r : impl_->selector->select_ns(timeout_ns)) {
        // Found by number, not by a pointer in key.data: the table may have grown.
        FdState* s = &impl_->fds[static_cast<std::size_t>(r.key.fd)];
        for (int i = 0; i < 2; ++i) {
            if (!(r.events & (i == 0 ? EVENT_READ : EVENT_WRITE))) continue;
            if (Handle* w = s->watcher[i]; w && !w->queued) {
                w->retain();  // the queue's reference
                schedule(w);
            }
            if (ReadyNode* waiter = std::exchange(s->waiter[i], nullptr)) {
                schedule(waiter);
                if (!s->edge) mark_dirty(r.key.fd);  // level-triggered: stop watching for it
            }
        }
    }
}

// ---- Thread-safe calls ----

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

// ---- Running ----

// One iteration of the loop. Its phases:
//  1. Poll I/O, when the ready queue is empty (blocking until the next timer, or
//     forever) or when event_interval callbacks have run since the last poll
//     (zero timeout), or when stopping (zero timeout). Otherwise skip the syscall.
//  2. After a poll, move every timer that is due to the ready queue.
//  3. Run the callbacks that are ready now; those they schedule wait for the next
//     iteration, so a callback that reschedules itself cannot starve the others.
void EventLoop::run_once() {
    if (ready_count_ == 0 || since_poll_ >= event_interval || stopping_) {
        std::int64_t timeout = -1;
        std::int64_t next;
        if (ready_count_ != 0 || stopping_) {
            timeout = 0;
        } else if (impl_->timers.next_deadline(next)) {
            timeout = std::max<std::int64_t>(0, next - time_ns());
        }
        poll_io(timeout);
        since_poll_ = 0;
        impl_->timers.pop_due(time_ns(), [this](Handle* h) {
            h->is_timer_ = false;
            schedule(h);  // the heap's reference becomes the queue's
        });
    }

    std::size_t ntodo = ready_count_;
    since_poll_ += ntodo;
    for (std::size_t i = 0; i < ntodo; ++i) {
        ReadyNode* node = ready_head_;
        ready_head_ = node->next;
        if (!ready_head_) ready_tail_ = nullptr;
        --ready_count_;
        node->queued = false;
        if (debug_) {
            std::int64_t start = time_ns();
            std::string what = node->describe();  // before run(): a handle may be recycled by it
            run_ready_node(node);
            double took = static_cast<double>(time_ns() - start) * 1e-9;
            if (took >= slow_callback_duration) {
                fmt::print(stderr, "tulip: executing {} took {:.3f} seconds\n", what, took);
            }
        } else {
            run_ready_node(node);
        }
    }
}

void EventLoop::run_forever() {
    check_open();
    if (running_) throw RuntimeError("This event loop is already running");
    if (t_running) throw RuntimeError("Cannot run the event loop while another loop is running");
    running_ = true;
    t_running = this;
    sys::set_close_observer(&EventLoop::close_observer, this);
    struct Reset {
        EventLoop* loop;
        ~Reset() {
            loop->stopping_ = false;
            loop->running_ = false;
            t_running = nullptr;
            sys::set_close_observer(nullptr, nullptr);
        }
    } reset{this};
    while (true) {
        run_once();
        if (stopping_) break;
    }
}

void EventLoop::stop() noexcept { stopping_ = true; }

void EventLoop::close() {
    if (running_) throw RuntimeError("Cannot close a running event loop");
    if (closed_) return;
    closed_ = true;
    impl_->signals.reset();  // restores the signals' default dispositions
    // Drop what is still queued: asyncio clears its ready queue and timers on close.
    while (ReadyNode* node = ready_head_) {
        ready_head_ = node->next;
        node->queued = false;
        node->discard();
    }
    ready_tail_ = nullptr;
    ready_count_ = 0;
    impl_->timers.clear();
    for (FdState& s : impl_->fds) {
        for (Handle*& w : s.watcher) {
            if (w) std::exchange(w, nullptr)->release();
        }
    }
    impl_->selector->close();
    {
        std::lock_guard lock(impl_->threadsafe_mutex);
        impl_->threadsafe_closed = true;
        for (Handle* h : impl_->threadsafe) HandleRef drop(h);  // not yet retained: refs are 0
        impl_->threadsafe.clear();
    }
    ::close(impl_->wake_fd);
    if (impl_->executor) impl_->executor->shutdown(false);  // asyncio: shutdown(wait=False)
}

// ---- Signals and the default executor (loop/signals.cpp, loop/executor.cpp) ----

void EventLoop::set_signal_handler(int sig, Handle* h) {
    HandleRef owned(h);  // released if we throw
    check_open();
    if (!impl_->signals) impl_->signals = std::make_unique<SignalHandlers>(*this);
    impl_->signals->add(sig, h);
}

bool EventLoop::remove_signal_handler(int sig) {
    if (!impl_->signals) {
        if (sig < 1 || sig >= NSIG) throw ValueError(fmt::format("invalid signal number {}", sig));
        return false;
    }
    return impl_->signals->remove(sig);
}

ThreadPoolExecutor& EventLoop::default_executor() {
    check_open();
    if (impl_->executor_shutdown_called) throw RuntimeError("Executor shutdown has been called");
    if (!impl_->executor) impl_->executor = std::make_unique<ThreadPoolExecutor>();
    return *impl_->executor;
}

void EventLoop::post_job(LoopJob* job) noexcept {
    // Owns the job until it runs; if the handle is dropped unrun (close), so is the job.
    struct Finish {
        LoopJob* job;
        explicit Finish(LoopJob* j) noexcept : job(j) {}
        Finish(Finish&& o) noexcept : job(std::exchange(o.job, nullptr)) {}
        ~Finish() { delete job; }
        void operator()() {
            LoopJob* j = std::exchange(job, nullptr);
            j->finish();
            delete j;
        }
    };
    std::lock_guard lock(impl_->threadsafe_mutex);
    if (impl_->threadsafe_closed) {
        impl_->orphans.push_back(job);  // deleted by ~EventLoop, on the loop's thread
        return;
    }
    try {
        impl_->threadsafe.push_back(Handle::make(Finish(job)));
    } catch (...) {
        impl_->orphans.push_back(job);
        return;
    }
    if (!std::exchange(impl_->wake_pending, true)) {
        std::uint64_t one = 1;
        sys::write(impl_->wake_fd, &one, sizeof one);
    }
}

bool EventLoop::shutdown_executor_async(LoopJob* done) {
    impl_->executor_shutdown_called = true;
    join_executor_helper();  // an earlier call's, if that call was cancelled
    if (!impl_->executor) return false;
    impl_->executor_helper = std::thread([executor = impl_->executor.get(), done] {
        executor->shutdown(true);
        done->run();
    });
    return true;
}

void EventLoop::join_executor_helper() noexcept {
    if (!impl_->executor_helper.joinable()) return;
    impl_->executor_helper.join();
    impl_->executor.reset();  // its workers were joined by the helper
}

// ---- Errors ----

void EventLoop::call_exception_handler(const ExceptionContext& context) noexcept {
    try {
        if (exception_handler_) {
            exception_handler_(*this, context);
            return;
        }
    } catch (...) {
        default_exception_handler({"Unhandled error in exception handler", std::current_exception(), {}});
    }
    default_exception_handler(context);
}

EventLoop& get_running_loop() {
    if (!t_running) throw RuntimeError("no running event loop");
    return *t_running;
}

EventLoop* running_loop() noexcept { return t_running; }

}  // namespace tulip
