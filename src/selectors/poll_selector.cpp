// PollSelector: a pollfd array kept in step with the registrations, so select()
// never rebuilds it; an index by fd makes modify and remove O(1) (remove swaps
// the last entry into the hole).
#include "tulip/selectors/poll_selector.hpp"

#include <algorithm>
#include <vector>

#include "selectors/poll_like.hpp"
#include "sys/fd_table.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

struct PollSelector::State {
    std::vector<pollfd> fds;
    std::vector<int> index;  // by fd: position in `fds`, or -1 when not watched

    int& position(int fd) {
        auto i = static_cast<std::size_t>(fd);
        return sys::fd_slot(index, i, -1);
    }
    void erase(int fd) {
        auto i = static_cast<std::size_t>(fd);
        if (i >= index.size() || index[i] < 0) return;
        int at = index[i];
        const pollfd last = fds.back();
        fds[static_cast<std::size_t>(at)] = last;
        index[static_cast<std::size_t>(last.fd)] = at;
        fds.pop_back();
        index[i] = -1;  // after the move: `fd` may have been the last entry itself
    }
};

PollSelector::PollSelector() : state_(std::make_unique<State>()) {}
PollSelector::~PollSelector() = default;

void PollSelector::watch(const Registration& reg) {
    state_->position(fd_of(reg)) = static_cast<int>(state_->fds.size());
    state_->fds.push_back(
        pollfd{fd_of(reg), static_cast<short>(poll_like::to_bits(reg.events)), 0});
}

void PollSelector::rewatch(const Registration& reg) {
    int at = state_->position(fd_of(reg));
    if (at < 0) return watch(reg);  // a dormant key is watched again; select() re-checks it
    state_->fds[static_cast<std::size_t>(at)].events =
        static_cast<short>(poll_like::to_bits(reg.events));
}

void PollSelector::unwatch(const Registration& reg) noexcept {
    state_->erase(fd_of(reg));
}

const std::vector<Ready>& PollSelector::select_ns(std::int64_t timeout_ns) {
    begin_select();
    std::vector<pollfd>& fds = state_->fds;
    int n = check(sys::poll(fds.data(), fds.size(), timeout_ns), "poll");
    // Backwards, so that erasing a stale entry only moves an already visited one.
    for (std::size_t i = fds.size(); i-- > 0 && n > 0;) {
        if (fds[i].revents == 0) continue;
        --n;
        const Registration* reg = find(fds[i].fd);
        if (reg != nullptr && names_same_file(*reg)) {
            report(*reg, poll_like::from_bits(static_cast<std::uint16_t>(fds[i].revents)));
        } else {
            state_->erase(fds[i].fd);  // closed (POLLNVAL) or reused: the key goes dormant
        }
    }
    return ready_;
}

void PollSelector::close() {
    Selector::close();
    state_ = std::make_unique<State>();
}

}  // namespace tulip
