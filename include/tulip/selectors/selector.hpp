// selectors/selector: the Selector interface, Python's selectors.BaseSelector.
// A selector watches file descriptors for EVENT_READ / EVENT_WRITE and says which
// are ready. Backends: SelectSelector, PollSelector, EpollSelector; DefaultSelector
// is the best one this platform has (epoll on Linux). Layer 3: includes net only.
//
// Python name -> tulip name: register -> add, unregister -> remove (register is a
// C++ keyword; add/modify/remove are epoll_ctl's verbs); modify, select, get_key,
// get_map, close keep their names.
//
// Thread affinity: a selector is used by one thread at a time (the loop thread).
//
// Closed and reused descriptors: a registration remembers which file its fd named
// at add() (st_dev, st_ino). An fd closed without remove() and its number reused by
// a new file never receives the old registration's events: the stale key goes
// dormant (kept, so remove() still works, but never reported), and add() on that
// number replaces it instead of raising KeyError. See each backend for the cost.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tulip/net/socket.hpp"

namespace tulip {

using Events = unsigned;
inline constexpr Events EVENT_READ = 1u << 0;
inline constexpr Events EVENT_WRITE = 1u << 1;

// What a selector knows about one registration: Python's SelectorKey without
// fileobj. `data` is opaque to the selector (Python's key.data); its owner keeps
// whatever it points to alive while the registration lasts.
struct SelectorKey {
    int fd = -1;
    Events events = 0;
    void* data = nullptr;
};

// One entry of select()'s answer: the key and the subset of its events that are ready.
struct Ready {
    SelectorKey key;
    Events events = 0;
    // The peer closed its end or an error is pending (EPOLLRDHUP / HUP / ERR). Only
    // edge-triggered registrations fill it in: a reader woken by an edge that stops
    // at a short read would otherwise never learn of a FIN that came with the data.
    bool hangup = false;
};

class Selector {
public:
    virtual ~Selector() = default;
    Selector(const Selector&) = delete;
    Selector& operator=(const Selector&) = delete;

    // register(): KeyError if `fd` is registered already, ValueError for a negative
    // fd or an event mask that is empty or has bits other than READ|WRITE, OSError
    // (EBADF) if `fd` is not open.
    SelectorKey add(int fd, Events events, void* data = nullptr);
    SelectorKey add(const Socket& sock, Events events, void* data = nullptr) {
        return add(sock.fileno(), events, data);
    }
    // modify(): new events and data for a registered fd (KeyError if it is not).
    // Changing only `data` makes no syscall. If the backend refuses the new events
    // the fd is unregistered and the OSError propagates (as Python does).
    SelectorKey modify(int fd, Events events, void* data = nullptr);
    SelectorKey modify(const Socket& sock, Events events, void* data = nullptr) {
        return modify(sock.fileno(), events, data);
    }
    // unregister(): KeyError if not registered. Works after the fd was closed.
    SelectorKey remove(int fd);
    SelectorKey remove(const Socket& sock) { return remove(sock.fileno()); }

    // Waits until a registered fd is ready. timeout < 0 (the default) blocks,
    // 0 polls, else waits at most that many seconds; a signal does not shorten
    // the wait. An error or hang-up on an fd is reported as ready for every
    // event it is registered for, so its owner finds out from its next call.
    // With nothing registered it just sleeps for the timeout.
    // The answer stays valid until the next select() on this selector.
    const std::vector<Ready>& select(double timeout = -1);
    // The same with the timeout in nanoseconds (< 0 blocks), for the event loop.
    virtual const std::vector<Ready>& select_ns(std::int64_t timeout_ns) = 0;

    SelectorKey get_key(int fd) const;         // KeyError if not registered
    std::vector<SelectorKey> get_map() const;  // every registration, by fd
    std::size_t size() const;                  // how many registrations
    virtual void close();                      // then every call throws RuntimeError
    bool is_closed() const noexcept { return closed_; }

protected:
    Selector() = default;

    // The shared bookkeeping (Python's _BaseSelectorImpl). Keys live in a vector
    // indexed by fd: descriptors are small and dense, so this beats a hash map.
    struct Registration {
        void* data = nullptr;          // the key's data
        std::uint64_t file = 0;        // which file the fd named at add() (st_dev, st_ino)
        std::uint32_t generation = 0;  // distinguishes successive registrations of an fd
        std::uint8_t events = 0;       // the key's events; 0: the slot is free (add needs some)
        std::uint8_t flags = 0;        // backend-private (epoll: edge-triggered)
    };
    // One entry per descriptor number, 24 bytes: the fd is the entry's index, not
    // a field, so 10,000 connections hold 240 KB here.
    static_assert(sizeof(Registration) <= 24);
    int fd_of(const Registration& reg) const noexcept { return static_cast<int>(&reg - slots_.data()); }
    SelectorKey key_of(const Registration& reg) const noexcept { return SelectorKey{fd_of(reg), reg.events, reg.data}; }

    // add() with backend-private flags, for backends' own add overloads.
    SelectorKey add_with_flags(int fd, Events events, void* data, std::uint32_t flags);
    // The live registration of `fd`, or nullptr.
    const Registration* find(int fd) const noexcept {
        return fd >= 0 && static_cast<std::size_t>(fd) < slots_.size() && slots_[fd].events != 0
                   ? &slots_[fd]
                   : nullptr;
    }
    // True while fd_of(reg) still names the file it named at add(). One fstat.
    bool names_same_file(const Registration& reg) const noexcept;
    // Starts a select(): throws if closed, empties the answer.
    void begin_select();
    // Appends reg's key to the answer with `ready & key.events`, if that is not empty.
    void report(const Registration& reg, Events ready, bool hangup = false) {
        Events mine = ready & reg.events;
        if (mine != 0) ready_.push_back(Ready{key_of(reg), mine, hangup});
    }
    void check_open() const;

    // Backend hooks. watch() starts watching a new registration (throw to refuse:
    // the key is dropped again); rewatch() follows a change of reg.events (throw
    // to refuse: the key is dropped); unwatch() stops watching and must not throw
    // (a closed fd is not an error there).
    virtual void watch(const Registration& reg) = 0;
    virtual void rewatch(const Registration& reg) = 0;
    virtual void unwatch(const Registration& reg) noexcept = 0;

    std::vector<Ready> ready_;
    bool closed_ = false;

private:
    Registration& slot(int fd);  // grows the vector
    void forget(Registration& reg) noexcept;

    std::vector<Registration> slots_;
    std::size_t count_ = 0;
    std::uint32_t next_generation_ = 0;
};

// The best selector for this platform: EpollSelector on Linux.
std::unique_ptr<Selector> DefaultSelector();

}  // namespace tulip
