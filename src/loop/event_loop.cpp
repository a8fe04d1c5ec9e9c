#include "tulip/loop/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "loop/loop_impl.hpp"
#include "loop/signals.hpp"
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
    if (std::strcmp(name, "uring") == 0) return BackendKind::uring;
    throw ValueError(fmt::format("TULIP_BACKEND={} is not a backend (epoll, poll, select, uring)", name));
}

// A UringSelector, or nullptr (and one line on stderr per process) where io_uring
// is unavailable, so that the loop falls back to epoll.
std::unique_ptr<UringSelector> make_uring_selector() {
    try {
        return std::make_unique<UringSelector>();
    } catch (const OSError& e) {
        static std::once_flag logged;
        std::call_once(logged, [&] { fmt::print(stderr, "tulip: io_uring unavailable ({}), using epoll\n", e.what()); });
        return nullptr;
    }
}

}  // namespace


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
        case BackendKind::uring:
            if (auto uring = make_uring_selector()) {
                impl_->uring = uring.get();
                impl_->selector = std::move(uring);
                break;
            }
            impl_->kind = BackendKind::epoll;
            [[fallthrough]];
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
    detach_close_observer();  // close() did, unless destroyed while running: never told again
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
        case BackendKind::uring:
            return "uring";
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

// ---- Running ----

// One iteration of the loop. Its phases:
//  1. Poll I/O, when the ready queue is empty (blocking until the next timer, or
//     forever) or when event_interval callbacks have run since the last poll
//     (zero timeout), or when stopping (zero timeout). Otherwise skip the syscall.
//  2. After a poll, move every timer that is due to the ready queue.
//  3. Run the callbacks that are ready now; those they schedule wait for the next
//     iteration, so a callback that reschedules itself cannot starve the others.
void EventLoop::run_once() {
    if (!running_ && !closed_) {  // driven by hand, not by run_forever
        check_uring_thread();
        attach_close_observer();
    }
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
    check_uring_thread();
    // Kept after run_forever returns, until close(): a socket closed between two
    // runs must still leave the backend before its number is reused.
    attach_close_observer();
    running_ = true;
    t_running = this;
    struct Reset {
        EventLoop* loop;
        ~Reset() {
            loop->stopping_ = false;
            loop->running_ = false;
            t_running = nullptr;
        }
    } reset{this};
    while (true) {
        run_once();
        if (stopping_) break;
    }
}

// An io_uring ring belongs to the thread that first ran the loop (SINGLE_ISSUER,
// and the ring fd is registered to that thread): elsewhere io_uring_enter fails
// with EEXIST or EBADF. Say so before anything is submitted.
void EventLoop::check_uring_thread() {
    if (!impl_->uring) return;
    const std::thread::id me = std::this_thread::get_id();
    if (impl_->uring_thread == std::thread::id{}) {
        impl_->uring_thread = me;
    } else if (impl_->uring_thread != me) {
        throw RuntimeError("an io_uring event loop runs only on the thread that first ran it; "
                           "make one loop per thread");
    }
}

void EventLoop::stop() noexcept { stopping_ = true; }

void EventLoop::close() {
    if (running_) throw RuntimeError("Cannot close a running event loop");
    if (closed_) return;
    closed_ = true;
    detach_close_observer();  // first: what close() itself closes is none of our business
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
    for (FdState& s : impl_->fds) s.watching = 0;
    for (auto& pair : impl_->watchers) {
        for (Handle*& w : pair) {
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
