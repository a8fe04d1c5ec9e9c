// net/accept_errors: what a server does when accept(2) fails. Shared by the
// loop's Server and the servers that run before the loop (examples/).
#pragma once

namespace tulip {

// Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): the listener
// stays readable, so accepting again at once would spin; pause a moment.
bool accept_error_is_shortage(int err) noexcept;

// Errors that concern only the connection being accepted, or pass (Linux's
// accept(2): network errors "should be treated like EAGAIN"), shortages
// included: a server goes on after them (the examples report them; the loop's
// Server passes over all but the shortages). (ECONNABORTED never gets here:
// sys::accept retries it, and io_uring's accepts re-arm on it.)
bool accept_error_is_transient(int err) noexcept;

}  // namespace tulip
