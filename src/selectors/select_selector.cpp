// SelectSelector: a read and a write fd_set kept in step with the registrations;
// select(2) gets copies (sys::select copies them again on EINTR). No exception set:
// on Linux, as in CPython, an error shows up as readable and writable.
#include "tulip/selectors/select_selector.hpp"

#include <fmt/format.h>
#include <sys/select.h>

#include <algorithm>

#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

static_assert(SelectSelector::max_fd == FD_SETSIZE - 1);

struct SelectSelector::State {
    fd_set readers, writers;
    int nfds = 0;  // highest watched fd + 1

    State() {
        FD_ZERO(&readers);
        FD_ZERO(&writers);
    }
    bool watched(int fd) const { return FD_ISSET(fd, &readers) || FD_ISSET(fd, &writers); }
    void set(int fd, Events events) {
        FD_CLR(fd, &readers);
        FD_CLR(fd, &writers);
        if (events & EVENT_READ) FD_SET(fd, &readers);
        if (events & EVENT_WRITE) FD_SET(fd, &writers);
        if (fd >= nfds) nfds = fd + 1;
        while (nfds > 0 && !watched(nfds - 1)) --nfds;
    }
};

SelectSelector::SelectSelector() : state_(std::make_unique<State>()) {}
SelectSelector::~SelectSelector() = default;

void SelectSelector::watch(const Registration& reg) {
    if (fd_of(reg) > max_fd)
        throw ValueError(
            fmt::format("fd {} is out of range for select() (FD_SETSIZE is {}); use PollSelector "
                        "or EpollSelector",
                        fd_of(reg), FD_SETSIZE));
    state_->set(fd_of(reg), reg.events);
}

void SelectSelector::rewatch(const Registration& reg) {
    state_->set(fd_of(reg), reg.events);
}

void SelectSelector::unwatch(const Registration& reg) noexcept {
    if (fd_of(reg) <= max_fd) state_->set(fd_of(reg), 0);
}

void SelectSelector::unwatch_stale() {
    bool dropped = false;
    for (int fd = 0; fd < state_->nfds; ++fd) {
        const Registration* reg = find(fd);
        if (reg != nullptr && state_->watched(fd) && !names_same_file(*reg)) {
            unwatch(*reg);
            dropped = true;
        }
    }
    if (!dropped) raise_os_error(EBADF, "select");  // not ours to fix: report it
}

const std::vector<Ready>& SelectSelector::select_ns(std::int64_t timeout_ns) {
    begin_select();
    const std::int64_t deadline = timeout_ns > 0 ? sys::monotonic_ns() + timeout_ns : 0;
    fd_set r, w;
    int n;
    for (;;) {
        r = state_->readers;
        w = state_->writers;
        n = sys::select(state_->nfds, &r, &w, nullptr, timeout_ns);
        if (n != -EBADF) break;
        // A registered fd was closed without remove(): select(2) refuses the whole
        // set, so drop the dead ones and wait again for the time that is left.
        unwatch_stale();
        if (timeout_ns > 0) timeout_ns = std::max<std::int64_t>(deadline - sys::monotonic_ns(), 0);
    }
    check(n, "select");
    for (int fd = 0; fd < state_->nfds && n > 0; ++fd) {
        Events ready = (FD_ISSET(fd, &r) ? EVENT_READ : 0u) | (FD_ISSET(fd, &w) ? EVENT_WRITE : 0u);
        if (ready == 0) continue;
        n -= (ready == (EVENT_READ | EVENT_WRITE)) ? 2 : 1;  // select(2) counts each set
        const Registration* reg = find(fd);
        if (reg != nullptr && names_same_file(*reg)) {
            report(*reg, ready);
        } else if (reg != nullptr) {
            unwatch(*reg);  // reused by another file: the key goes dormant
        }
    }
    return ready_;
}

void SelectSelector::close() {
    Selector::close();
    state_ = std::make_unique<State>();
}

}  // namespace tulip
