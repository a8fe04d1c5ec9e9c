// UringSelector: registrations become IORING_OP_POLL_ADD requests, armed lazily
// at the next select() so that a burst of add/modify/remove costs no syscall and
// select() submits and waits in one io_uring_enter. Each poll's user_data holds
// the fd (low 32 bits) and an arm id (bits 32-60); a completion whose arm id is
// not the fd's current one (cancelled, replaced, from an earlier registration of
// the number) is dropped. Bit 63 marks the completion of a cancellation, bits 62
// and 61 the completion ops (uring_ops.cpp).
//
// Cancelling uses IORING_OP_ASYNC_CANCEL, not POLL_REMOVE: POLL_REMOVE fails with
// EALREADY while the poll has a wake-up pending (as a busy multishot poll often
// has), and the poll would then live on, holding its file open.
#include "tulip/selectors/uring_selector.hpp"

#include <algorithm>

#include "selectors/poll_like.hpp"
#include "selectors/uring_state.hpp"
#include "sys/fault.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace {

namespace fault = sys::fault;

using uring_detail::accept_bit;
using uring_detail::arm_mask;
using uring_detail::cancel_bit;
using uring_detail::recv_bit;
using uring_detail::tag;

constexpr std::uint32_t edge_flag = 1;  // Registration::flags bit: multishot poll
constexpr unsigned sq_entries = 256;
constexpr unsigned cq_entries = 4096;
constexpr unsigned tw_batch = 20;  // deferred task work a wait runs (kernel 6.x)
constexpr int max_rounds = 1024;   // bounds select()'s fetching (a storm cannot hold it)

// Under ThreadSanitizer a signal's C handler runs only at the thread's next
// intercepted call or atomic; one that lands just before the wait in
// io_uring_enter (a raw syscall TSan does not intercept, which the signal then
// does not interrupt) would run only after the next I/O. The wait is sliced so
// that it runs, and wakes the loop, within a slice.
#if defined(__SANITIZE_THREAD__)
#define TULIP_URING_SLICED_WAIT 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TULIP_URING_SLICED_WAIT 1
#endif
#endif
#ifdef TULIP_URING_SLICED_WAIT
constexpr std::int64_t wait_slice_ns = 20'000'000;
#endif

// Makes a ring, disabled until its first select() binds it to that thread. Tries
// the best flags first and drops them one by one for older kernels.
int make_ring(io_uring& ring, bool& single_issuer) {
    if (fault::Decision d = fault::check(fault::Call::io_uring_setup); d.error != 0) return -d.error;
    const unsigned base = IORING_SETUP_CQSIZE | IORING_SETUP_R_DISABLED;
    const unsigned tries[] = {
        base | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        base | IORING_SETUP_SUBMIT_ALL, base, 0};
    int result = -EINVAL;
    for (unsigned flags : tries) {
        io_uring_params p{};
        p.flags = flags;
        p.cq_entries = cq_entries;
        result = io_uring_queue_init_params(sq_entries, &ring, &p);
        if (result != -EINVAL) {
            single_issuer = result == 0 && (flags & IORING_SETUP_DEFER_TASKRUN) != 0;
            break;
        }
    }
    return result;
}

}  // namespace

bool UringSelector::available() noexcept {
    static const bool yes = [] {
        io_uring ring{};
        if (io_uring_queue_init(2, &ring, 0) != 0) return false;
        io_uring_queue_exit(&ring);
        return true;
    }();
    return yes;
}

UringSelector::UringSelector() : state_(std::make_unique<State>()) {
    State& st = *state_;
    check(make_ring(st.ring, st.single_issuer), "io_uring_setup");
    st.open = true;
    st.skip_cancel_cqe = (st.ring.features & IORING_FEAT_CQE_SKIP) != 0;
}

UringSelector::~UringSelector() {
    if (!state_->open) return;
    state_->close_pending_accepts();
    io_uring_queue_exit(&state_->ring);
}

int UringSelector::fileno() const noexcept { return state_->open ? state_->ring.ring_fd : -1; }
bool UringSelector::single_issuer() const noexcept { return state_->single_issuer; }

SelectorKey UringSelector::add(int fd, Events events, void* data, Trigger trigger) {
    return add_with_flags(fd, events, data, trigger == Trigger::edge ? edge_flag : 0);
}

void UringSelector::watch(const Registration& reg) { state_->queue_arm(fd_of(reg)); }

void UringSelector::rewatch(const Registration& reg) {
    state_->cancel(fd_of(reg));  // submitted with the next select(), with the new poll
    state_->queue_arm(fd_of(reg));
}

void UringSelector::unwatch(const Registration& reg) noexcept {
    State& st = *state_;
    st.poll(fd_of(reg)).dormant = false;
    // Submitted now, and its deferred work run (GETEVENTS), because the request holds
    // the file: the caller may close the fd next and expect the file to go with it.
    if (st.cancel(fd_of(reg))) io_uring_submit_and_get_events(&st.ring);
}

const std::vector<Ready>& UringSelector::select_ns(std::int64_t timeout_ns) {
    begin_select();
    State& st = *state_;
    st.enable();
    ++st.epoch;
    st.received.clear();  // the caller handed out and recycled the last select()'s reads ...
    st.accepted.clear();  // ... and took (or closed) its accepted fds
    st.sent.clear();
    for (unsigned buffer : st.to_recycle) st.recycle(buffer);
    st.to_recycle.clear();
    st.free_ended_ops();

    // Reports `ready` for the registration of `fd`, merged into one entry per fd.
    auto report_merged = [&](const Registration& reg, Events ready, bool hangup) {
        Events mine = ready & reg.events;
        if (mine == 0) return;
        State::Poll& p = st.polls[static_cast<std::size_t>(fd_of(reg))];
        if (p.epoch == st.epoch) {
            ready_[p.index].events |= mine;
            ready_[p.index].hangup |= hangup;
            return;
        }
        p.epoch = st.epoch;
        p.index = static_cast<std::uint32_t>(ready_.size());
        ready_.push_back(Ready{key_of(reg), mine, hangup});
    };

    auto complete = [&](std::uint64_t user_data, int res, unsigned flags) {
        if (user_data & cancel_bit) {
            // 0 or ENOENT (it had completed): done. EALREADY: it was running; try again.
            if (res == -EALREADY) st.to_cancel.push_back(user_data & ~cancel_bit);
            return;
        }
        if ((user_data & uring_detail::send_bits) == uring_detail::send_bits)
            return st.sent.push_back({uring_detail::send_owner(user_data), res});
        if (user_data & recv_bit) return st.complete_recv(user_data, res, flags);
        if (user_data & accept_bit) return st.complete_accept(user_data, res, flags);
        const int fd = static_cast<int>(user_data & 0xffffffffu);
        const auto arm = static_cast<std::uint32_t>(user_data >> 32);
        if (static_cast<std::size_t>(fd) >= st.polls.size()) return;
        State::Poll& p = st.polls[static_cast<std::size_t>(fd)];
        const Registration* reg = find(fd);
        if (p.arm != arm || reg == nullptr) return;  // cancelled or replaced
        const bool edge = (reg->flags & edge_flag) != 0;
        if (!(flags & IORING_CQE_F_MORE)) p.arm = 0;  // one-shot done, or the kernel ended a multishot
        if (res == -ECANCELED) {
            st.queue_arm(fd);
            return;
        }
        // A level report (or an arm that found the fd closed) checks the file, so a
        // closed or reused number never gets the old registration's events.
        if (res == -EBADF || (!edge && !names_same_file(*reg))) {
            if (p.arm == 0) p.dormant = true;
            return;
        }
        if (p.arm == 0) st.queue_arm(fd);
        // An error from the kernel wakes both directions, so the owner finds out.
        if (res < 0) return report_merged(*reg, EVENT_READ | EVENT_WRITE, edge);
        auto bits = static_cast<std::uint32_t>(res);
        report_merged(*reg, poll_like::from_bits(bits), edge && poll_like::hung_up(bits));
    };

    auto harvest = [&] {
        for (int round = 0; round < max_rounds; ++round) {
            unsigned head;
            unsigned seen = 0;
            io_uring_cqe* cqe;
            io_uring_for_each_cqe(&st.ring, head, cqe) {
                ++seen;
                complete(cqe->user_data, cqe->res, cqe->flags);
            }
            io_uring_cq_advance(&st.ring, seen);
            // Fetch more at once rather than leave them to the next select() when
            // (1) completions the CQ had no room for wait in the kernel
            // (IORING_FEAT_NODROP), or (2) with DEFER_TASKRUN, a wait runs only a
            // batch of the deferred work (IO_LOCAL_TW_DEFAULT_MAX = 20 on 6.x):
            // a full batch may mean more is pending.
            bool more = io_uring_cq_has_overflow(&st.ring) || (st.single_issuer && seen >= tw_batch);
            if (!more) return;
            int r = io_uring_get_events(&st.ring);
            if (r < 0 && r != -EINTR && r != -EBUSY) return;
        }
    };

    auto arm_pending = [&] {
        for (std::uint64_t target : std::exchange(st.to_cancel, {})) st.cancel_request(target);
        st.start_pending_ops();
        for (int fd : st.to_arm) {
            State::Poll& p = st.polls[static_cast<std::size_t>(fd)];
            p.queued = false;
            const Registration* reg = find(fd);
            if (reg == nullptr || p.arm != 0 || p.dormant) continue;
            io_uring_sqe* s = st.sqe();
            if (s == nullptr) raise_os_error(EBUSY, "io_uring_get_sqe");
            if (reg->flags & edge_flag) {
                io_uring_prep_poll_multishot(s, fd, poll_like::to_edge_bits(reg->events));
            } else {
                io_uring_prep_poll_add(s, fd, poll_like::to_bits(reg->events));
            }
            st.next_arm = (st.next_arm + 1) & arm_mask;  // 29 bits: bits 61-63 mark the other kinds
            if (st.next_arm == 0) st.next_arm = 1;           // 0 means "none"
            p.arm = st.next_arm;
            io_uring_sqe_set_data64(s, tag(fd, p.arm));
        }
        st.to_arm.clear();
    };

    const std::int64_t deadline = timeout_ns > 0 ? sys::monotonic_ns() + timeout_ns : 0;
    std::int64_t left = timeout_ns;
    for (;;) {
        arm_pending();
        // A read or accept stopped before it began is news already.
        if (!st.received.empty() || !st.accepted.empty()) left = 0;
        int r;
        if (fault::Decision d = fault::check(fault::Call::io_uring_enter); d.error != 0) {
            r = -d.error;
        } else if (left == 0) {
            r = io_uring_submit_and_get_events(&st.ring);
        } else {
            std::int64_t wait = left;
#ifdef TULIP_URING_SLICED_WAIT
            if (wait < 0 || wait > wait_slice_ns) wait = wait_slice_ns;
#endif
            io_uring_cqe* cqe = nullptr;
            __kernel_timespec ts{};
            ts.tv_sec = wait / 1'000'000'000;
            ts.tv_nsec = wait % 1'000'000'000;
            r = io_uring_submit_and_wait_timeout(&st.ring, &cqe, 1, wait > 0 ? &ts : nullptr, nullptr);
        }
        // ETIME: the time is up. EBUSY/EAGAIN: the kernel wants the CQ drained first.
        if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN)
            raise_os_error(-r, "io_uring_enter");
        harvest();
        // Done once something is ready or the time is up; a signal, or completions
        // that were only cancellations, resume the wait with the time left.
        if (!ready_.empty() || !st.received.empty() || !st.accepted.empty() || !st.sent.empty() || left == 0) break;
        if (timeout_ns > 0) left = std::max<std::int64_t>(0, deadline - sys::monotonic_ns());
        if (left == 0 && r == -ETIME) break;
    }
    return ready_;
}

void UringSelector::close() {
    State& st = *state_;
    if (st.open) {
        st.close_pending_accepts();
        io_uring_queue_exit(&st.ring);
    }
    st.open = false;
    Selector::close();
    st.polls = {};
    st.to_arm = {};
    st.release_buffers();  // after the ring: the kernel no longer writes into them
    st.ops = {};
    st.received = {};
    st.accepted = {};
}

}  // namespace tulip
