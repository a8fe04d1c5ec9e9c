// selectors/selector: the Selector interface, Python's selectors.BaseSelector.
// A selector watches file descriptors for EVENT_READ / EVENT_WRITE and says which
// are ready. Backends: SelectSelector, PollSelector, EpollSelector; DefaultSelector
// is the best one this platform has (epoll on Linux). Layer 3: includes net only.
//
// Python name -> tulip name: register -> add, unregister -> remove (register is a
// C++ keyword; add/modify/remove are epoll_ctl's verbs); modify, select, get_key,
// get_map, close keep their names.
//
// Thread affinity: a selector is used by one thread at a time.
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
};

class Selector {
public:
    virtual ~Selector() = default;
    Selector(const Selector&) = delete;
    Selector& operator=(const Selector&) = delete;

    // register(): KeyError if `fd` is registered already, ValueError for a negative
    // fd or an event mask that is empty or has bits other than READ|WRITE.
    virtual SelectorKey add(int fd, Events events, void* data = nullptr) = 0;
    SelectorKey add(const Socket& sock, Events events, void* data = nullptr) {
        return add(sock.fileno(), events, data);
    }
    // modify(): new events and data for a registered fd (KeyError if it is not).
    virtual SelectorKey modify(int fd, Events events, void* data = nullptr) = 0;
    SelectorKey modify(const Socket& sock, Events events, void* data = nullptr) {
        return modify(sock.fileno(), events, data);
    }
    // unregister(): KeyError if not registered. Works after the fd was closed.
    virtual SelectorKey remove(int fd) = 0;
    SelectorKey remove(const Socket& sock) { return remove(sock.fileno()); }

    // Waits until a registered fd is ready. timeout < 0 (the default) blocks,
    // 0 polls, else waits at most that many seconds; a signal does not shorten
    // the wait. An error or hang-up on an fd is reported as ready for every
    // event it is registered for, so its owner finds out from its next call.
    // The answer stays valid until the next select() on this selector.
    const std::vector<Ready>& select(double timeout = -1);
    // The same with the timeout in nanoseconds (< 0 blocks), for the event loop.
    virtual const std::vector<Ready>& select_ns(std::int64_t timeout_ns) = 0;

    SelectorKey get_key(int fd) const;          // KeyError if not registered
    std::vector<SelectorKey> get_map() const;   // every registration, by fd
    std::size_t size() const;                   // how many registrations
    virtual void close();                       // then every call throws RuntimeError
    bool is_closed() const noexcept { return closed_; }

protected:
    Selector() = default;
    // The shared bookkeeping (Python's _BaseSelectorImpl): backends call these.
    // ... (defined by the implementation)
    bool closed_ = false;
};

// The best selector for this platform: EpollSelector on Linux.
std::unique_ptr<Selector> DefaultSelector();

}  // namespace tulip
