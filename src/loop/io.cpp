// EventLoop: descriptor watchers, one-shot I/O waits, and polling the backend.
#include <sys/socket.h>

#include <fmt/format.h>

#include "loop/loop_impl.hpp"
#include "sys/fd_table.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

EventLoop::FdState& EventLoop::fd_state(int fd) {
    if (fd < 0) throw ValueError(fmt::format("invalid file descriptor {}", fd));
    auto index = static_cast<std::size_t>(fd);
    return sys::fd_slot(impl_->fds, index);
}

void EventLoop::mark_dirty(int fd) {
    FdState& s = impl_->fds[static_cast<std::size_t>(fd)];
    if (!s.dirty) {
        s.dirty = true;
        impl_->dirty.push_back(fd);
    }
}

bool EventLoop::set_watcher(int fd, Events direction, Handle* h) {
    HandleRef owned(h);  // frees a new handle if we throw (closed loop, bad fd, no memory)
    if (h) check_open();
    FdState& s = fd_state(fd);
    const auto index = static_cast<std::size_t>(fd);
    const int i = direction_index(direction);
    if (h) sys::fd_slot(impl_->watchers, index);  // grown first: nothing fails once the old one is gone
    const bool had = (s.watching & direction) != 0;
    if (had) {
        Handle* old = std::exchange(impl_->watchers[index][i], nullptr);
        old->cancel();
        old->release();
        s.watching &= static_cast<std::uint8_t>(~direction);
    }
    if (!h) {
        mark_dirty(fd);  // removing never fails: batch it with the next poll
        return had;
    }
    Handle*& slot = impl_->watchers[index][i];
    slot = h;
    h->retain();
    s.watching |= static_cast<std::uint8_t>(direction);
    // Registered now, not at the next poll, so that a descriptor the backend
    // refuses (a regular file under epoll) fails here, as in asyncio, and not
    // out of run_once.
    try {
        sync_fd(fd);
    } catch (...) {
        std::exchange(slot, nullptr)->release();
        s.watching &= static_cast<std::uint8_t>(~direction);
        mark_dirty(fd);
        throw;
    }
    return had;
}

void EventLoop::wait_io(int fd, Events direction, ReadyNode* waiter) {
    FdState& s = fd_state(fd);
    // An edge reported while nobody waited will not be reported again: wake the
    // waiter now; at worst its syscall finds nothing and it waits again (mio's
    // readiness bits, kept per fd).
    if (s.edge && (s.ready & direction)) {
        s.ready &= ~direction;
        schedule(waiter);
        return;
    }
    s.waiter[direction_index(direction)] = waiter;
    // Already registered edge-triggered for this direction: nothing to change.
    if (!s.edge || !(s.registered & direction)) mark_dirty(fd);
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

// Makes the backend watch `fd` as its watchers and waiters need. On epoll (and
// io_uring, as one multishot poll) a descriptor used only by waiters is registered
// once, edge-triggered for both directions (only writing while it is read by
// completion and no read waits), and left so until it is closed;
// otherwise the registration follows what is wanted now, level-triggered (poll
// and select change it without a syscall).
void EventLoop::sync_fd(int fd) {
    FdState& s = impl_->fds[static_cast<std::size_t>(fd)];
    s.dirty = false;
    Events watchers = s.watching;
    Events waiters = (s.waiter[0] ? EVENT_READ : 0) | (s.waiter[1] ? EVENT_WRITE : 0);
    bool edge = (impl_->epoll || impl_->uring) && watchers == 0 && (waiters != 0 || s.edge);
    // A descriptor read by completion needs no read readiness: each arrival would
    // post a poll completion for nothing.
    Events edge_events = impl_->op(fd) != 0 && !s.waiter[0] ? EVENT_WRITE : EVENT_READ | EVENT_WRITE;
    Events want = edge ? edge_events : (watchers | waiters);
    if (want == s.registered && edge == s.edge) return;

    Selector& sel = *impl_->selector;
    if (s.registered != 0 && (want == 0 || edge != s.edge)) {
        sel.remove(fd);
        s.registered = 0;
    }
    s.edge = edge;
    if (want == 0) return;
    if (s.registered == 0) {
        if (edge && impl_->epoll) {
            impl_->epoll->add(fd, want, nullptr, Trigger::edge);
        } else if (edge) {
            impl_->uring->add(fd, want, nullptr, Trigger::edge);
        } else {
            sel.add(fd, want);
        }
    } else {
        sel.modify(fd, want);
    }
    s.registered = static_cast<std::uint8_t>(want);
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
        if (s.watching & direction_at(i)) {
            Handle* w = std::exchange(impl_->watchers[static_cast<std::size_t>(fd)][i], nullptr);
            w->cancel();
            w->release();
        }
        // A waiter resumes and finds its socket closed (EBADF) rather than hanging.
        if (s.waiter[i]) schedule(s.waiter[i]);
    }
    if (std::uint64_t op = impl_->op(fd)) {  // a recv or an accept: the request holds the file
        impl_->uring->stop_op(op, true);
        impl_->ops[static_cast<std::size_t>(fd)] = 0;
    }
    bool was_dirty = s.dirty;
    s = FdState{};
    s.dirty = was_dirty;  // still listed in Impl::dirty; syncing a blank state is a no-op
}

bool EventLoop::must_drain(int fd) const noexcept {
    auto index = static_cast<std::size_t>(fd);
    return fd >= 0 && index < impl_->fds.size() && impl_->fds[index].hangup;
}

// Only a byte stream is empty after a short read: a datagram socket gives one
// datagram per read, with more maybe queued behind it. Asked once per descriptor.
void EventLoop::note_read_drained(int fd) noexcept {
    if (fd < 0 || must_drain(fd)) return;
    FdState* state;
    try {
        state = &fd_state(fd);  // not waited on yet: the next wait registers, and sees what is there
    } catch (...) {
        return;  // no memory for the table: only a hint is lost
    }
    FdState& s = *state;
    if (s.stream < 0) {
        int type = 0;
        socklen_t len = sizeof type;
        s.stream = sys::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
    }
    s.read_drained = s.stream == 1;
}

bool EventLoop::read_drained(int fd) const noexcept {
    auto index = static_cast<std::size_t>(fd);
    return fd >= 0 && index < impl_->fds.size() && impl_->fds[index].read_drained;
}

void EventLoop::poll_io(std::int64_t timeout_ns) {
    // The writes of this iteration, one send per transport, submitted by this poll.
    // By index: nothing a send_ready does should queue more, but if it did, the
    // vector may grow under the loop.
    for (std::size_t i = 0; i < impl_->send_queue.size(); ++i) impl_->send_queue[i]->send_ready();
    impl_->send_queue.clear();
    for (int fd : impl_->dirty) sync_fd(fd);
    impl_->dirty.clear();
    for (const Ready& r : impl_->selector->select_ns(timeout_ns)) {
        // Found by number, not by a pointer in key.data: the table may have grown.
        FdState* s = &impl_->fds[static_cast<std::size_t>(r.key.fd)];
        s->hangup |= r.hangup;
        if (r.events & EVENT_READ) s->read_drained = false;
        for (int i = 0; i < 2; ++i) {
            const Events direction = direction_at(i);
            if (!(r.events & direction)) continue;
            if (s->watching & direction) {
                Handle* w = impl_->watchers[static_cast<std::size_t>(r.key.fd)][i];
                if (!w->queued) {
                    w->retain();  // the queue's reference
                    schedule(w);
                }
            }
            if (ReadyNode* waiter = std::exchange(s->waiter[i], nullptr)) {
                schedule(waiter);
                if (!s->edge) mark_dirty(r.key.fd);  // level-triggered: stop watching for it
            } else if (s->edge) {
                s->ready |= direction;
            }
        }
    }
    if (impl_->uring) {
        // Sends first: after a reset the send that failed and the read that saw
        // EOF (the error went to the send) come together; the error is the news.
        deliver_sent();
        deliver_received();
        deliver_accepted();
    }
}

std::uint64_t& EventLoop::Impl::free_op_slot(int fd) {
    std::uint64_t& slot = sys::fd_slot(ops, static_cast<std::size_t>(fd));
    if (slot != 0) throw RuntimeError(fmt::format("fd {} is already read or accepted on by completion", fd));
    return slot;
}

bool EventLoop::start_recv(int fd, StreamHandler* handler) {
    if (!impl_->uring || !impl_->uring->can_recv()) return false;
    FdState& s = fd_state(fd);
    std::uint64_t& op = impl_->free_op_slot(fd);  // first: it throws if a recv runs
    op = impl_->uring->start_recv(fd, handler);
    if (s.registered & EVENT_READ) mark_dirty(fd);  // e.g. by sock_connect: drop the read half
    return true;
}

void EventLoop::stop_recv(int fd, bool detach) noexcept {
    std::uint64_t op = impl_->op(fd);
    if (op == 0) return;
    impl_->uring->stop_op(op, detach);
    // A stop that still reports keeps the op listed until its `last` read (see
    // deliver_received), so that a detaching stop or the fd's close still finds it.
    if (detach) impl_->ops[static_cast<std::size_t>(fd)] = 0;
}

// Hands this poll's completion reads to their handlers, in the order the kernel
// made them, each buffer going back to the kernel once its handler returns. The
// owner is looked up per read: a handler may stop another fd's reads meanwhile.
void EventLoop::deliver_received() {
    UringSelector& uring = *impl_->uring;
    for (const UringSelector::Received& r : uring.received()) {
        auto* handler = static_cast<StreamHandler*>(uring.op_owner(r.op));
        if (r.last) impl_->op_ended(r.fd, r.op);
        if (handler != nullptr) {
            try {
                handler->on_recv(r.res, std::string_view(r.data, r.res > 0 ? static_cast<std::size_t>(r.res) : 0),
                                 r.last);
            } catch (...) {
                call_exception_handler({"Exception in a completion read's handler", std::current_exception(), {}});
            }
        }
        uring.recycle(r);
    }
}

bool EventLoop::can_send() const noexcept { return impl_->uring != nullptr; }

void EventLoop::queue_send(StreamHandler* handler) { impl_->send_queue.push_back(handler); }

void EventLoop::start_send(int fd, std::string_view data, StreamHandler* handler) {
    impl_->uring->start_send(fd, data.data(), data.size(), handler);
}

void EventLoop::cancel_send(StreamHandler* handler) noexcept { impl_->uring->cancel_send(handler); }

// Hands this poll's finished sends to their handlers. The list stays put meanwhile:
// a handler's start_send or cancel_send submits, but only select() collects.
void EventLoop::deliver_sent() {
    for (const UringSelector::Sent& s : impl_->uring->sent()) {
        try {
            static_cast<StreamHandler*>(s.owner)->on_sent(s.res);
        } catch (...) {
            call_exception_handler({"Exception in a completion send's handler", std::current_exception(), {}});
        }
    }
}

}  // namespace tulip
