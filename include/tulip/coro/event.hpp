// coro/event: Event, asyncio.Event — a flag that tasks wait for. set() wakes
// every waiting task; clear() resets it; wait() returns at once while it is set.
// Loop thread only. Needs no loop: it wakes the waiting tasks on their own loop.
#pragma once

#include "tulip/coro/wait_queue.hpp"

namespace tulip {

class Event;

// What Event::wait() returns: `co_await event.wait();`.
class EventAwaiter : public detail::Waiter {
public:
    explicit EventAwaiter(Event& event) noexcept : event_(event) {}
    bool await_ready() const noexcept;
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume() { resumed(); }

private:
    Event& event_;
};

class Event {
public:
    Event() noexcept {}
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    bool is_set() const noexcept { return value_; }
    // Sets the flag and wakes every waiting task (they return even if clear()
    // is called before they run, as in asyncio).
    void set() noexcept;
    void clear() noexcept { value_ = false; }
    // Suspends until the flag is set; CancelledError if the task is cancelled.
    EventAwaiter wait() noexcept { return EventAwaiter(*this); }

private:
    friend class EventAwaiter;
    detail::WaitQueue waiters_;
    bool value_ = false;
};

inline bool EventAwaiter::await_ready() const noexcept {
    return event_.is_set();
}
inline bool EventAwaiter::await_suspend(std::coroutine_handle<> h) {
    return suspend(event_.waiters_, h);
}

}  // namespace tulip
