// common/accept: one accept(2) for the servers that run before the event loop
// (echo-server's s01-s11, poetry-server's blocking and selectors styles), able
// to tell a stop from a failure, and the accept errors they all carry on after.
//
// Why a stop needs telling apart: StopSignal shuts the listening socket down
// (shutdown(2)) to wake whoever waits on it, and accept() on it then fails
// with EINVAL. A server that select/poll/epoll reported the listener readable
// to just before the stop calls accept() after it: that failure is the stop,
// not an error, and must end the server as quietly as the stop itself. The
// errno alone cannot say so (EINVAL also means a listener that never listened);
// the stop flag, set before the shutdown, can.
//
// Thread affinity: any thread; a listener is accepted on by one thread at a time.
#pragma once

#include <optional>

#include "common/stop_signal.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/address.hpp"
#include "tulip/net/socket.hpp"

namespace examples {

struct Accepted {
    tulip::Socket conn;
    tulip::Address address;
};

// "accept failed: WHY; carrying on" on stderr, for an error a server goes on after
// (tulip::accept_error_is_transient).
void report_accept_error(const tulip::OSError& error);

// One accept() on `listener`. Returns the client, or nullopt when
//  - nobody is waiting (a non-blocking listener: EAGAIN);
//  - the failure concerned only that connection (is_per_connection_error):
//    reported, and after EMFILE/ENFILE it pauses 10 ms first, rather than spin;
//  - accept() failed once `stop` was requested: the stop shut the listener
//    down. Nothing is reported; the caller's loop sees stop_requested() next.
// Throws OSError when the listener itself is unusable and no stop explains it.
// `stop` may be nullptr (no stop signal), and then a listener shut down by
// anyone throws (EINVAL): socketserver's serve_forever() relies on that.
std::optional<Accepted> accept_client(tulip::Socket& listener, const StopSignal* stop);

}  // namespace examples
