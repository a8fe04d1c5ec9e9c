// UringSelector's completion ops: the slot table shared by its multishot recvs
// (uring_recv.cpp) and accepts (uring_accept.cpp). An op's user_data is its kind
// bit | generation << 32 | slot; a slot is freed only at the select() after the
// op ended, so an owner can still be found while the caller hands out that
// select()'s completions, and a stale completion (slot reused since) is told
// apart by its generation.
#include <cerrno>

#include "selectors/uring_state.hpp"
#include "tulip/errors.hpp"

namespace tulip {

using uring_detail::op_id;

std::uint64_t UringSelector::State::new_op(int fd, void* owner, std::uint64_t kind) {
    std::uint32_t slot;
    if (!free_ops.empty()) {
        slot = free_ops.back();
        free_ops.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(ops.size());
        ops.emplace_back();
    }
    Op& op = ops[slot];
    const std::uint32_t generation = (op.generation + 1) & uring_detail::arm_mask;
    op = Op{owner, fd, generation, kind, false, false, true, false};
    to_start.push_back(slot);
    return op_id(slot, generation, kind);
}

// The op `id` names, or null if its slot was freed or reused since.
UringSelector::State::Op* UringSelector::State::find_op(std::uint64_t id) noexcept {
    const auto slot = static_cast<std::uint32_t>(id);
    const auto generation = static_cast<std::uint32_t>(id >> 32) & uring_detail::arm_mask;
    return slot < ops.size() && ops[slot].generation == generation ? &ops[slot] : nullptr;
}

void UringSelector::State::stop_op(std::uint64_t id, bool detach) noexcept {
    Op* found = find_op(id);
    if (found == nullptr || found->done) return;
    Op& op = *found;
    if (detach) op.owner = nullptr;  // also for an op already stopping (paused, then closed)
    if (!op.stopping) {
        op.stopping = true;
        if (op.in_flight) {
            cancel_request(id);
        } else if (!op.queued) {
            op.queued = true;
            to_start.push_back(static_cast<std::uint32_t>(id));  // ends it, and tells its owner, at the next select()
        }
    }
    // Submitted now when detaching: the request holds the socket's file, and the
    // caller may be about to close it (as unwatch() does for a poll).
    if (detach && op.in_flight) io_uring_submit_and_get_events(&ring);
}

bool UringSelector::State::end_or_rearm(Op& op, std::uint64_t id, unsigned flags, bool rearm) {
    const bool ended = (flags & IORING_CQE_F_MORE) == 0;
    if (ended) op.in_flight = false;
    rearm = rearm && ended && !op.stopping;
    if (rearm && !op.queued) {
        op.queued = true;
        to_start.push_back(static_cast<std::uint32_t>(id));
    }
    const bool last = ended && !rearm;
    if (last) {
        op.done = true;
        to_free.push_back(static_cast<std::uint32_t>(id));
    }
    return last;
}

void UringSelector::State::start_pending_ops() {
    for (std::uint32_t slot : to_start) {
        Op& op = ops[slot];
        op.queued = false;
        if (op.done || op.in_flight) continue;
        const std::uint64_t id = op_id(slot, op.generation, op.kind);
        if (op.stopping) {  // stopped before it was ever submitted
            op.done = true;
            to_free.push_back(slot);
            if (op.owner == nullptr) continue;
            if (op.kind == uring_detail::accept_bit) {
                accepted.push_back({id, op.fd, -ECANCELED, true});
            } else {
                received.push_back({id, op.fd, -ECANCELED, nullptr, true, -1});
            }
            continue;
        }
        io_uring_sqe* s = sqe();
        if (s == nullptr) raise_os_error(EBUSY, "io_uring_get_sqe");
        if (op.kind == uring_detail::accept_bit) {
            prep_accept(s, op);
        } else {
            prep_recv(s, op);
        }
        io_uring_sqe_set_data64(s, id);
        op.in_flight = true;
    }
    to_start.clear();
}

void UringSelector::State::free_ended_ops() {
    for (std::uint32_t slot : to_free) {
        ops[slot].owner = nullptr;
        free_ops.push_back(slot);
    }
    to_free.clear();
}

void UringSelector::stop_op(std::uint64_t id, bool detach) noexcept { state_->stop_op(id, detach); }

void* UringSelector::op_owner(std::uint64_t id) const noexcept { return state_->owner(id); }

}  // namespace tulip
