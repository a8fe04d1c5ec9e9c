// UringSelector's completion accepts: one multishot IORING_OP_ACCEPT per listening
// socket, so a burst of connections costs no accept syscall and no poll. The
// accepted fd is in our fd table once its completion is posted, so every path
// that drops a completion (a detached or stale op, the ring's close) closes it.
#include <cerrno>

#include "selectors/uring_state.hpp"
#include "sys/fault.hpp"
#include "sys/syscalls.hpp"

namespace tulip {

namespace {

using uring_detail::accept_bit;

// As sys::accept: the server's sockets are non-blocking and close-on-exec.
constexpr int accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;

void close_accepted(int res) noexcept {
    if (res >= 0) sys::close(res);
}

}  // namespace

// Multishot accept came with IORING_OP_SOCKET (5.19), which a probe can see: the
// accept opcode itself is older and a probe does not show its flags.
bool UringSelector::can_accept() noexcept {
    static const bool yes = [] {
        io_uring_probe* probe = io_uring_get_probe();
        if (probe == nullptr) return false;
        const bool has = io_uring_opcode_supported(probe, IORING_OP_SOCKET) != 0;
        io_uring_free_probe(probe);
        return has;
    }();
    return yes;
}

void UringSelector::State::prep_accept(io_uring_sqe* s, const Op& op) noexcept {
    io_uring_prep_multishot_accept(s, op.fd, nullptr, nullptr, accept_flags);
}

void UringSelector::State::complete_accept(std::uint64_t user_data, int res, unsigned flags) {
    // Tests fail an accept the kernel made here, as sys::accept's faults do: the
    // connection is dropped and the owner gets the error.
    if (res >= 0) {
        if (sys::fault::Decision d = sys::fault::check(sys::fault::Call::uring_accept); d.error != 0) {
            sys::close(res);
            res = -d.error;
        }
    }
    Op* found = find_op(user_data);
    if (found == nullptr || found->done) return close_accepted(res);
    Op& op = *found;
    // The kernel ends a multishot by itself after a success (e.g. a CQ overflow), and
    // with ECONNABORTED or EINTR, which concern no one (sys::accept retries them).
    const bool benign = res == -ECONNABORTED || res == -EINTR;
    const bool last = end_or_rearm(op, user_data, flags, res >= 0 || benign);
    if (op.owner == nullptr) return close_accepted(res);
    if (benign) {
        if (!last) return;
        res = -ECANCELED;  // stopped meanwhile: the owner learns it ended
    }
    accepted.push_back({user_data, op.fd, res, last});
}

// Before the ring goes: its exit cancels the accepts, but an fd the kernel
// accepted and posted would stay open in our table with nobody to close it.
void UringSelector::State::close_pending_accepts() noexcept {
    bool any = false;
    for (std::size_t slot = 0; slot < ops.size(); ++slot) {
        Op& op = ops[slot];
        if (op.kind != accept_bit || !op.in_flight) continue;
        op.owner = nullptr;
        any |= cancel_request(uring_detail::op_id(static_cast<std::uint32_t>(slot), op.generation, accept_bit));
    }
    if (!any) return;
    io_uring_submit_and_get_events(&ring);
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring, head, cqe) {
        ++seen;
        if ((cqe->user_data & (accept_bit | uring_detail::cancel_bit)) == accept_bit) close_accepted(cqe->res);
    }
    io_uring_cq_advance(&ring, seen);
}

std::uint64_t UringSelector::start_accept(int fd, void* owner) { return state_->new_op(fd, owner, accept_bit); }

const std::vector<UringSelector::Accepted>& UringSelector::accepted() const noexcept { return state_->accepted; }

}  // namespace tulip
