// EventLoop: completion accepts (io_uring's multishot accept) for the Server,
// the accepting counterpart of the completion reads in io.cpp.
#include "loop/loop_impl.hpp"
#include "sys/syscalls.hpp"

namespace tulip {

bool EventLoop::start_accept(int listen_fd, AcceptHandler* handler) {
    if (!impl_->uring || !UringSelector::can_accept()) return false;
    fd_state(listen_fd);  // checks the fd
    std::uint64_t& op = impl_->free_op_slot(listen_fd);  // first: it throws if an accept runs
    op = impl_->uring->start_accept(listen_fd, handler);
    return true;
}

// The same op table as a read's (one op per fd): stopping is the same.
void EventLoop::stop_accept(int listen_fd, bool detach) noexcept { stop_recv(listen_fd, detach); }

// Hands this poll's accepted connections to their handlers, in the order the
// kernel made them. The owner is looked up per connection: a handler may stop
// accepting (close its server) meanwhile, and then the rest are closed here.
void EventLoop::deliver_accepted() {
    UringSelector& uring = *impl_->uring;
    for (const UringSelector::Accepted& a : uring.accepted()) {
        auto* handler = static_cast<AcceptHandler*>(uring.op_owner(a.op));
        if (a.last) impl_->op_ended(a.fd, a.op);
        if (handler == nullptr) {
            if (a.res >= 0) sys::close(a.res);
            continue;
        }
        try {
            handler->on_accept(a.res, a.last);
        } catch (...) {
            call_exception_handler({"Exception in a completion accept's handler", std::current_exception(), {}});
        }
    }
}

}  // namespace tulip
