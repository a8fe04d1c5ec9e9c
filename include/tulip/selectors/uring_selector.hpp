// selectors/uring_selector: UringSelector, a readiness selector on io_uring (Linux
// 5.13+): each registration is an IORING_OP_POLL_ADD, and select() submits the
// pending changes and waits in one io_uring_enter. Level-triggered by default, as
// every selector is; edge-triggered (one multishot poll) per registration on request.
#pragma once

#include <memory>

#include "tulip/selectors/epoll_selector.hpp"  // Trigger
#include "tulip/selectors/selector.hpp"

namespace tulip {

// Level: a one-shot poll, re-armed at the select() after each report, so the fd is
// reported by every select() while it stays ready (the re-arm checks at once).
// Edge: one multishot poll that posts an event per wake-up (new data, new room),
// armed once and re-armed only if the kernel ends it (CQ overflow, error).
//
// Differences from epoll worth knowing:
//  - A pending poll holds a reference to its file, so an fd closed without remove()
//    keeps its file (a socket stays open) until remove(), close(), or, for a level
//    registration, the next report (which finds the key stale and lets it go).
//    The event loop removes every fd before closing it, so it never sees this.
//  - Level reports cost one fstat each (as PollSelector), to keep a closed and
//    reused fd number from receiving the old file's events; edge reports trust the
//    owner to remove before close and cost nothing.
//  - The ring is created at construction but bound, on its first select(), to the
//    calling thread (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN when the kernel has
//    them): from then on only that thread may use the selector.
class UringSelector final : public Selector {
public:
    // OSError if io_uring is unavailable (ENOSYS: old kernel or seccomp; EPERM:
    // kernel.io_uring_disabled; ENOMEM: locked-memory limit on old kernels).
    UringSelector();
    ~UringSelector() override;

    // True if a ring can be made here (checked once per process).
    static bool available() noexcept;

    using Selector::add;
    // register() with a choice of trigger; the trigger survives modify().
    SelectorKey add(int fd, Events events, void* data, Trigger trigger);
    SelectorKey add(const Socket& sock, Events events, void* data, Trigger trigger) {
        return add(sock.fileno(), events, data, trigger);
    }

    // Submits the polls to arm or cancel, then waits: one io_uring_enter (more only
    // past 256 queued changes, or to drain a CQ overflow). A signal does not shorten
    // the wait (EINTR resumes it with the time left).
    const std::vector<Ready>& select_ns(std::int64_t timeout_ns) override;
    void close() override;
    int fileno() const noexcept;  // the ring's fd; -1 once closed
    bool single_issuer() const noexcept;  // SINGLE_ISSUER | DEFER_TASKRUN were accepted

    // ---- Completion reads (beyond a selector: the event loop's transports) ----
    // A multishot recv per socket; the kernel reads into buffers it picks from a
    // ring of provided buffers shared by all sockets, so an idle socket holds none.
    // An op ends with EOF (0), an error, or a stop; a multishot the kernel ends by
    // itself, or one that found no free buffer (ENOBUFS), is re-armed.
    struct Received {
        std::uint64_t op;
        int fd;
        int res;           // > 0: bytes in `data`; 0: EOF; < 0: -errno (ECANCELED: stopped)
        const char* data;  // into the buffer ring until recycle()
        bool last;         // the op ended: nothing more comes from it
        int buffer;        // -1: none
    };
    // Makes the buffer ring on first use; false if the kernel refuses it (< 5.19).
    bool can_recv();
    std::uint64_t start_recv(int fd, void* owner);  // submitted at the next select()
    // Cancels `op` (a recv or an accept: they share one table of ops); its
    // completions still come (to their owner, ending with `last`) unless
    // `detach`, which also submits the cancel now: the request holds the file.
    // For an accept, what still comes after a detach is closed.
    void stop_op(std::uint64_t op, bool detach) noexcept;
    void* op_owner(std::uint64_t op) const noexcept;  // null once detached or freed
    // What the last select() read, for the caller to hand out and then recycle.
    const std::vector<Received>& received() const noexcept;
    void recycle(const Received& r) noexcept;  // gives r's buffer back to the kernel

    // ---- Completion accepts (beyond a selector: the event loop's Server) ----
    // A multishot accept per listening socket: the kernel accepts each connection
    // as it comes (non-blocking, close-on-exec) and posts its fd. An op ends with
    // an error or a stop; one the kernel ends by itself after a success, or with
    // ECONNABORTED/EINTR (nothing the owner must hear, as sys::accept retries them),
    // is re-armed. An fd accepted for a detached op is closed here, never leaked.
    // The kernel reads RLIMIT_NOFILE when the op is submitted, not per accept.
    struct Accepted {
        std::uint64_t op;
        int fd;    // the listening socket
        int res;   // >= 0: the accepted fd, now the caller's; < 0: -errno (ECANCELED: stopped)
        bool last; // the op ended: nothing more comes from it
    };
    // True if this kernel has multishot accept (5.19+; checked once per process).
    static bool can_accept() noexcept;
    std::uint64_t start_accept(int fd, void* owner);  // submitted at the next select(); stop_op stops it
    // What the last select() accepted; the caller owns every fd res it hands out,
    // and must close those it does not.
    const std::vector<Accepted>& accepted() const noexcept;

    // ---- Completion sends (uring_send.cpp) ----
    // A send of `data` (which must stay put until its completion) on `fd`, queued
    // now and submitted with the next select()'s wait: a burst of sends to many
    // sockets costs one io_uring_enter. One send per owner at a time; every send
    // completes once, in sent(), also after cancel_send (then with -ECANCELED, or
    // its result if it had finished).
    struct Sent {
        void* owner;
        int res;  // bytes sent, or -errno
    };
    void start_send(int fd, const char* data, std::size_t len, void* owner);
    void cancel_send(void* owner) noexcept;  // submitted now: the request holds the file
    const std::vector<Sent>& sent() const noexcept;

private:
    void watch(const Registration& reg) override;
    void rewatch(const Registration& reg) override;
    void unwatch(const Registration& reg) noexcept override;

    struct State;  // the ring and the per-fd poll state (liburing stays out of headers)
    std::unique_ptr<State> state_;
};

}  // namespace tulip
