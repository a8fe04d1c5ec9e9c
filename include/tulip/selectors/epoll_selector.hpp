// selectors/epoll_selector: EpollSelector, Python's selectors.EpollSelector, on
// epoll(7): select() costs O(ready fds), not O(registrations). Level-triggered by
// default, as every selector is; edge-triggered per registration on request.
#pragma once

#include <memory>

#include "tulip/selectors/selector.hpp"

namespace tulip {

// Level: reported while the fd stays ready. Edge: reported once per change (new
// data, new room), so the owner must read or write until EAGAIN before waiting again.
enum class Trigger { level, edge };

class EpollSelector final : public Selector {
public:
    EpollSelector();  // OSError if epoll_create fails
    ~EpollSelector() override;

    using Selector::add;
    // register() with a choice of trigger; the trigger survives modify().
    SelectorKey add(int fd, Events events, void* data, Trigger trigger);
    SelectorKey add(const Socket& sock, Events events, void* data, Trigger trigger) {
        return add(sock.fileno(), events, data, trigger);
    }

    // Each event carries the generation of its registration, and an event whose
    // generation is not the current key's is dropped: no fstat per event. The kernel
    // forgets a registration when its file's last descriptor is closed; if a dup of
    // the fd keeps the file open, the old registration stays in the kernel (nothing
    // can remove it without an fd) and its events keep arriving, to be dropped here
    // once the fd number was registered again.
    const std::vector<Ready>& select_ns(std::int64_t timeout_ns) override;
    void close() override;
    int fileno() const noexcept { return epfd_; }  // the epoll fd; -1 once closed

private:
    void watch(const Registration& reg) override;
    void rewatch(const Registration& reg) override;
    void unwatch(const Registration& reg) noexcept override;
    void control(int op, const Registration& reg);

    struct State;  // the event buffer, grown to the number of registrations
    std::unique_ptr<State> state_;
    int epfd_ = -1;
};

}  // namespace tulip
