// EpollSelector: one epoll_ctl per add/modify/remove, one epoll_wait per select.
// Each event's data.u64 holds the fd (low 32 bits) and the registration's
// generation (high 32 bits), so an event from an earlier registration of the same
// fd number is recognised and dropped.
#include "tulip/selectors/epoll_selector.hpp"

#include <algorithm>
#include <vector>

#include "selectors/poll_like.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace {

constexpr std::uint32_t edge_flag = 1;  // Registration::flags bit: EPOLLET
constexpr std::size_t max_events = 1024;  // the most one select() reports

std::uint64_t tag(int fd, std::uint32_t generation) {
    return std::uint64_t{generation} << 32 | static_cast<std::uint32_t>(fd);
}

}  // namespace

struct EpollSelector::State {
    std::vector<epoll_event> events;
    // Events dropped by the last select(): old registrations the kernel still holds
    // (see select_ns). The buffer keeps room for them too, so that they cannot
    // crowd out the live registrations' events.
    std::size_t ghosts = 0;
};

EpollSelector::EpollSelector()
    : state_(std::make_unique<State>()), epfd_(check(sys::epoll_create(), "epoll_create")) {}

EpollSelector::~EpollSelector() {
    if (epfd_ >= 0) sys::close(epfd_);
}

SelectorKey EpollSelector::add(int fd, Events events, void* data, Trigger trigger) {
    return add_with_flags(fd, events, data, trigger == Trigger::edge ? edge_flag : 0);
}

void EpollSelector::control(int op, const Registration& reg) {
    epoll_event ev{};
    ev.events = (reg.flags & edge_flag) ? poll_like::to_edge_bits(reg.events) | EPOLLET
                                        : poll_like::to_bits(reg.events);
    ev.data.u64 = tag(fd_of(reg), reg.generation);
    check(sys::epoll_ctl(epfd_, op, fd_of(reg), &ev), "epoll_ctl");
}

void EpollSelector::watch(const Registration& reg) {
    control(EPOLL_CTL_ADD, reg);
}
void EpollSelector::rewatch(const Registration& reg) {
    control(EPOLL_CTL_MOD, reg);
}

void EpollSelector::unwatch(const Registration& reg) noexcept {
    // EBADF (fd closed) or ENOENT (closed, and the kernel already forgot it, or the
    // number now names another file) both mean there is nothing left to remove.
    epoll_event ev{};
    sys::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd_of(reg), &ev);
}

const std::vector<Ready>& EpollSelector::select_ns(std::int64_t timeout_ns) {
    begin_select();
    std::vector<epoll_event>& events = state_->events;
    // Room for every registration up to max_events (Python has no cap; libuv and
    // mio stop at 1024 too). The kernel keeps what one wait did not return, edge-
    // or level-triggered, and hands it out next, so the cap loses nothing; it keeps
    // this buffer and the answer from growing with the connections (12 + 24 bytes
    // per descriptor, resident once a burst has filled them).
    events.resize(std::max<std::size_t>(std::min(size(), max_events) + state_->ghosts, 1));
    int n =
        check(sys::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout_ns),
              "epoll_wait");
    state_->ghosts = 0;
    for (int i = 0; i < n; ++i) {
        const epoll_event& ev = events[static_cast<std::size_t>(i)];
        const Registration* reg = find(static_cast<int>(ev.data.u64 & 0xffffffffu));
        if (reg == nullptr || reg->generation != static_cast<std::uint32_t>(ev.data.u64 >> 32)) {
            ++state_->ghosts;  // from an earlier registration of this fd number
            continue;
        }
        report(*reg, poll_like::from_bits(ev.events), (reg->flags & edge_flag) && poll_like::hung_up(ev.events));
    }
    return ready_;
}

void EpollSelector::close() {
    if (epfd_ >= 0) sys::close(epfd_);
    epfd_ = -1;
    Selector::close();
    state_->events = {};
}

}  // namespace tulip
