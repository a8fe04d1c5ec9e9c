// loop/signals: a loop's Unix signal handlers (asyncio's add_signal_handler).
// Internal to the loop: EventLoop owns one, made on the first add_signal_handler.
#pragma once

#include <csignal>

#include "tulip/loop/handle.hpp"

namespace tulip {

class EventLoop;

// The classic self-pipe, as asyncio's set_wakeup_fd: a sigaction handler flags
// the signal and writes to an eventfd the loop watches; the loop's reader then
// schedules the callbacks of the flagged signals. Chosen over signalfd because
// signalfd only sees a signal that is blocked in *every* thread (else any thread
// that leaves it unblocked takes it, and the loop never hears of it), which a
// library cannot impose on threads it did not create; a sigaction handler runs in
// whichever thread the kernel picks and still reaches the loop.
// A storm cannot lose a signal: the flag is per signal (storms coalesce into one
// callback) and an eventfd never fills up the way a pipe does.
// A signal is process-wide, so at most one loop handles a given signal at a time.
class SignalHandlers {
public:
    explicit SignalHandlers(EventLoop& loop);
    ~SignalHandlers();  // removes every handler (SIG_DFL restored) and closes the eventfd
    SignalHandlers(const SignalHandlers&) = delete;
    SignalHandlers& operator=(const SignalHandlers&) = delete;

    void add(int sig, Handle* callback);  // takes `callback` (not yet retained)
    bool remove(int sig);

private:
    void dispatch();  // the eventfd's reader, on the loop thread

    EventLoop& loop_;
    int fd_;
    Handle* handlers_[NSIG] = {};
};

}  // namespace tulip
