// UringSelector's completion reads: a multishot recv per socket (IORING_RECV_MULTISHOT
// with IOSQE_BUFFER_SELECT), its data in buffers the kernel picks from one ring of
// provided buffers (IORING_REGISTER_PBUF_RING, registered by hand: liburing 2.3 has
// no io_uring_setup_buf_ring). A buffer stays the caller's from its completion
// until recycle(), whatever happened to the op meanwhile; a completion nobody
// wants (a detached or stale op) gives its buffer back at the next select().
//
// Where the kernel has it (6.12+), the ring is consumed incrementally
// (IOU_PBUF_RING_INC): a recv takes only the bytes it fills from the current
// buffer, so small messages share a buffer instead of taking one each, and 10,000
// connections with a message each do not exhaust 64 buffers. The kernel keeps a
// buffer while a completion says IORING_CQE_F_BUF_MORE; each completion's data
// starts where that buffer's previous one ended, which only we can count.
//
// The ops' slots and their stop and re-arm are uring_ops.cpp's (shared with accepts).
#include <sys/mman.h>

#include <cerrno>

#include "selectors/uring_state.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace {

using uring_detail::recv_bit;

// 1 MiB in all, touched only as used. It also bounds what a paused transport may
// be handed before its stop takes effect (what the kernel read in one poll).
// When every buffer is out, a recv ends with ENOBUFS and is re-armed next poll.
// Consumed incrementally, 16 buffers of 64 KiB: few messages straddle two (a 16
// KiB message split in two is two sends back). Consumed whole, 64 of 16 KiB:
// each read takes one, so more of them serve more connections per poll.
constexpr std::size_t ring_data_bytes = 1 << 20;
constexpr unsigned max_buffer_count = 64;
constexpr unsigned incremental_buffer_count = 16;  // powers of two (the ring's mask)
constexpr unsigned short buffer_group = 0;
// Newer than liburing 2.3's headers (linux/io_uring.h, 6.12).
constexpr std::uint16_t pbuf_ring_inc = 2;        // IOU_PBUF_RING_INC
constexpr unsigned cqe_f_buf_more = 1U << 4;     // IORING_CQE_F_BUF_MORE

}  // namespace

struct UringSelector::State::BufferRing {
    io_uring_buf_ring* ring = nullptr;
    char* data = nullptr;
    unsigned count = max_buffer_count;
    unsigned size = ring_data_bytes / max_buffer_count;
    static constexpr std::size_t ring_bytes = max_buffer_count * sizeof(io_uring_buf);
    std::uint32_t used[max_buffer_count] = {};  // incremental: bytes of each buffer already reported

    ~BufferRing() {
        if (ring != nullptr) ::munmap(ring, ring_bytes);
        if (data != nullptr) ::munmap(data, ring_data_bytes);
    }
    char* buffer(unsigned id) const { return data + std::size_t{id} * size; }
    void give(unsigned id, int offset) {  // to the kernel, `offset` places after the tail
        io_uring_buf_ring_add(ring, buffer(id), size, static_cast<unsigned short>(id),
                              io_uring_buf_ring_mask(count), offset);
    }
};

UringSelector::State::State() = default;
UringSelector::State::~State() = default;

void UringSelector::State::release_buffers() noexcept { buffers.reset(); }

bool UringSelector::State::make_buffer_ring() {
    auto br = std::make_unique<BufferRing>();
    void* ring_mem = ::mmap(nullptr, BufferRing::ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    void* data_mem = ::mmap(nullptr, ring_data_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (ring_mem == MAP_FAILED || data_mem == MAP_FAILED) {
        if (ring_mem != MAP_FAILED) ::munmap(ring_mem, BufferRing::ring_bytes);
        if (data_mem != MAP_FAILED) ::munmap(data_mem, ring_data_bytes);
        return false;
    }
    br->ring = static_cast<io_uring_buf_ring*>(ring_mem);
    br->data = static_cast<char*>(data_mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(ring_mem);
    reg.bgid = buffer_group;
    reg.ring_entries = incremental_buffer_count;
    reg.pad = pbuf_ring_inc;  // the kernel's `flags` field
    incremental = io_uring_register_buf_ring(&ring, &reg, 0) == 0;
    if (!incremental) {
        reg.ring_entries = max_buffer_count;
        reg.pad = 0;
        if (io_uring_register_buf_ring(&ring, &reg, 0) != 0) return false;  // < 5.19
    }
    br->count = reg.ring_entries;
    br->size = static_cast<unsigned>(ring_data_bytes / br->count);
    io_uring_buf_ring_init(br->ring);
    for (unsigned i = 0; i < br->count; ++i) br->give(i, static_cast<int>(i));
    io_uring_buf_ring_advance(br->ring, static_cast<int>(br->count));
    buffers = std::move(br);
    return true;
}

void UringSelector::State::recycle(unsigned buffer) noexcept {
    buffers->used[buffer] = 0;
    buffers->give(buffer, 0);
    io_uring_buf_ring_advance(buffers->ring, 1);
}

void UringSelector::State::prep_recv(io_uring_sqe* s, const Op& op) noexcept {
    io_uring_prep_recv_multishot(s, op.fd, nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = buffer_group;
}

void UringSelector::State::complete_recv(std::uint64_t user_data, int res, unsigned flags) {
    int buffer = (flags & IORING_CQE_F_BUFFER) ? static_cast<int>(flags >> IORING_CQE_BUFFER_SHIFT) : -1;
    const char* data = nullptr;
    if (buffer >= 0) {
        auto id = static_cast<unsigned>(buffer);
        data = buffers->buffer(id) + buffers->used[id];
        if (incremental && res > 0) buffers->used[id] += static_cast<std::uint32_t>(res);
        if (flags & cqe_f_buf_more) buffer = -1;  // still the kernel's: nothing to give back
    }
    Op* found = find_op(user_data);
    if (found == nullptr || found->done) {
        drop_buffer(buffer);
        return;
    }
    Op& op = *found;
    // The kernel ends a multishot by itself (e.g. a CQ overflow), and ENOBUFS (every
    // buffer is out: handed out in this select()) ends it too; the data stays in
    // the socket, so submit it again, after this select()'s buffers came back.
    const bool last = end_or_rearm(op, user_data, flags, res > 0 || res == -ENOBUFS);
    if (op.owner == nullptr) {
        drop_buffer(buffer);
        return;
    }
    if (res == -ENOBUFS) {
        if (!last) return;  // nothing was read
        res = -ECANCELED;   // stopped meanwhile: the owner learns it ended
    }
    received.push_back({user_data, op.fd, res, data, last, buffer});
}

// A buffer whose data nobody will read goes back after this select()'s reads were
// handed out: earlier data in it (incremental) may still be waiting for its owner.
void UringSelector::State::drop_buffer(int buffer) {
    if (buffer >= 0) to_recycle.push_back(static_cast<unsigned>(buffer));
}

bool UringSelector::can_recv() {
    State& st = *state_;
    if (st.recv_support < 0) {
        st.enable();  // the buffer ring is registered by the ring's one issuer
        st.recv_support = st.make_buffer_ring() ? 1 : 0;
    }
    return st.recv_support == 1;
}

std::uint64_t UringSelector::start_recv(int fd, void* owner) { return state_->new_op(fd, owner, recv_bit); }

const std::vector<UringSelector::Received>& UringSelector::received() const noexcept { return state_->received; }

void UringSelector::recycle(const Received& r) noexcept {
    if (r.buffer >= 0 && state_->buffers) state_->recycle(static_cast<unsigned>(r.buffer));
}

}  // namespace tulip
