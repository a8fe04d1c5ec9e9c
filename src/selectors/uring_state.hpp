// selectors/uring_state (internal): the inside of a UringSelector, shared by
// uring_selector.cpp (readiness: polls), uring_ops.cpp (the completion ops' slots),
// uring_recv.cpp (completion reads into a ring of provided buffers) and
// uring_accept.cpp (completion accepts). liburing stays out of the public headers.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sys/fd_table.hpp"
#include "tulip/errors.hpp"
#include "tulip/selectors/uring_selector.hpp"

namespace tulip::uring_detail {

// user_data of a request: bit 63 marks an ASYNC_CANCEL's own completion, bit 62 a
// recv and bit 61 an accept (op slot in the low 32 bits, its generation in bits
// 32-60), both bits a send (its owner's address in the low 48 bits: one send per
// owner at a time); otherwise a poll (fd in the low 32 bits, its arm id in bits
// 32-60).
constexpr std::uint64_t cancel_bit = std::uint64_t{1} << 63;
constexpr std::uint64_t recv_bit = std::uint64_t{1} << 62;
constexpr std::uint64_t accept_bit = std::uint64_t{1} << 61;
constexpr std::uint64_t send_bits = recv_bit | accept_bit;
constexpr std::uint32_t arm_mask = 0x1fffffffu;

inline std::uint64_t tag(int fd, std::uint32_t arm) {
    return std::uint64_t{arm} << 32 | static_cast<std::uint32_t>(fd);
}
inline std::uint64_t op_id(std::uint32_t slot, std::uint32_t generation, std::uint64_t kind) {
    return kind | std::uint64_t{generation} << 32 | slot;
}

inline std::uint64_t send_tag(const void* owner) { return send_bits | reinterpret_cast<std::uintptr_t>(owner); }
inline void* send_owner(std::uint64_t user_data) {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(user_data & ((std::uint64_t{1} << 48) - 1)));
}

}  // namespace tulip::uring_detail

namespace tulip {

struct UringSelector::State {
    using Received = UringSelector::Received;
    using Sent = UringSelector::Sent;
    using Accepted = UringSelector::Accepted;

    struct Poll {
        std::uint32_t arm = 0;    // id of the poll request in flight; 0: none
        bool queued = false;      // listed in to_arm
        bool dormant = false;     // stale (closed or reused fd): not armed again until modified
        std::uint32_t epoch = 0;  // the select() that last reported this fd ...
        std::uint32_t index = 0;  // ... and its entry in that answer
    };

    io_uring ring{};
    bool open = false;
    bool enabled = false;
    bool single_issuer = false;
    bool skip_cancel_cqe = false;  // IOSQE_CQE_SKIP_SUCCESS works on this kernel
    std::vector<Poll> polls;       // by fd
    std::vector<int> to_arm;       // fds to (re)arm at the next select()
    std::vector<std::uint64_t> to_cancel;  // cancellations to try again at the next select()
    std::uint32_t next_arm = 0;
    std::uint32_t epoch = 0;

    // Completion ops (uring_ops.cpp): one multishot request per op slot, a recv
    // (uring_recv.cpp: its buffers from one provided-buffer ring that every socket
    // shares) or an accept (uring_accept.cpp).
    struct Op {
        void* owner = nullptr;  // null: detached (what still comes is dropped) or free
        int fd = -1;
        std::uint32_t generation = 0;
        std::uint64_t kind = 0;  // recv_bit or accept_bit
        bool in_flight = false;  // a request is submitted and has not ended
        bool stopping = false;   // cancelled: never re-armed
        bool queued = false;     // listed in to_start
        bool done = false;       // ended; the slot is freed at the next select()
    };
    struct BufferRing;  // the registered ring and its buffers
    std::unique_ptr<BufferRing> buffers;
    int recv_support = -1;  // -1: not tried yet; 0: the kernel refused the buffer ring
    bool incremental = false;  // IOU_PBUF_RING_INC: a buffer holds many reads (uring_recv.cpp)
    std::vector<Op> ops;
    std::vector<std::uint32_t> free_ops;  // slots to reuse
    std::vector<std::uint32_t> to_start;  // ops to (re)submit at the next select()
    std::vector<std::uint32_t> to_free;   // ops that ended, freed at the next select()
    std::vector<unsigned> to_recycle;     // unwanted reads' buffers, returned at the next select()
    std::vector<Received> received;       // this select()'s reads, in completion order
    std::vector<Sent> sent;               // this select()'s finished sends (uring_send.cpp)
    std::vector<Accepted> accepted;       // this select()'s accepts, in completion order

    State();
    ~State();
    // uring_ops.cpp
    std::uint64_t new_op(int fd, void* owner, std::uint64_t kind);
    Op* find_op(std::uint64_t id) noexcept;
    const Op* find_op(std::uint64_t id) const noexcept { return const_cast<State*>(this)->find_op(id); }
    void* owner(std::uint64_t id) const noexcept {  // null once detached or freed
        const Op* op = find_op(id);
        return op != nullptr ? op->owner : nullptr;
    }
    void stop_op(std::uint64_t id, bool detach) noexcept;
    // An op's completion: whether it ended (`last`) or is re-armed (when `rearm` and
    // not stopped: the kernel ended it, but with nothing its owner must hear).
    bool end_or_rearm(Op& op, std::uint64_t id, unsigned flags, bool rearm);
    void start_pending_ops();  // before each submit
    void free_ended_ops();  // at each select(), after the caller handed out the last one's
    // uring_recv.cpp
    bool make_buffer_ring();
    void prep_recv(io_uring_sqe* s, const Op& op) noexcept;
    void complete_recv(std::uint64_t user_data, int res, unsigned flags);
    void recycle(unsigned buffer) noexcept;
    // uring_accept.cpp
    void prep_accept(io_uring_sqe* s, const Op& op) noexcept;
    void complete_accept(std::uint64_t user_data, int res, unsigned flags);
    void close_pending_accepts() noexcept;  // before the ring goes
    void drop_buffer(int buffer);  // -1: none
    void release_buffers() noexcept;  // once the ring is gone

    Poll& poll(int fd) {
        auto i = static_cast<std::size_t>(fd);
        return sys::fd_slot(polls, i);
    }
    void queue_arm(int fd) {
        Poll& p = poll(fd);
        p.dormant = false;
        if (!p.queued) {
            p.queued = true;
            to_arm.push_back(fd);
        }
    }
    // An SQE, submitting what is queued when the submission queue is full.
    io_uring_sqe* sqe() noexcept {
        io_uring_sqe* s = io_uring_get_sqe(&ring);
        if (s == nullptr && io_uring_submit(&ring) >= 0) s = io_uring_get_sqe(&ring);
        return s;
    }
    // Queues the cancellation of fd's poll, if one is in flight. True if it did.
    bool cancel(int fd) noexcept {
        Poll& p = poll(fd);
        if (p.arm == 0) return false;
        std::uint64_t old = uring_detail::tag(fd, p.arm);
        p.arm = 0;  // from now on its completions are dropped
        return cancel_request(old);
    }
    bool cancel_request(std::uint64_t target) noexcept {
        io_uring_sqe* s = sqe();
        if (s == nullptr) return false;  // cannot happen once submitted; the ring's exit frees it
        io_uring_prep_cancel64(s, target, 0);
        io_uring_sqe_set_data64(s, target | uring_detail::cancel_bit);
        if (skip_cancel_cqe) s->flags |= IOSQE_CQE_SKIP_SUCCESS;
        return true;
    }
    // Binds the ring to the calling thread (SINGLE_ISSUER) on first use.
    void enable() {
        if (enabled) return;
        // io_uring_register, not io_uring_enable_rings: liburing 2.3's .so lacks that symbol.
        if (ring.flags & IORING_SETUP_R_DISABLED)
            check(io_uring_register(static_cast<unsigned>(ring.ring_fd), IORING_REGISTER_ENABLE_RINGS, nullptr, 0),
                  "io_uring_register(ENABLE_RINGS)");
        io_uring_register_ring_fd(&ring);  // optional: saves an fd lookup per enter
        enabled = true;
    }
};

}  // namespace tulip
