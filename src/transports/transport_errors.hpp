// transports/transport_errors: how the transports turn a failed syscall (-errno)
// into the exception a protocol sees, and which errors are the peer's doing.
#pragma once

#include <cerrno>
#include <exception>
#include <string_view>
#include <system_error>

#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip::detail {

using sys::would_block;

// The OSError subclass Python raises for the errno in `r` (a negative sys:: result).
inline std::exception_ptr os_error(long r, std::string_view what) {
    try {
        raise_os_error(static_cast<int>(-r), what);
    } catch (...) {
        return std::current_exception();
    }
}

// Resets and broken pipes are the peer's doing: asyncio does not log them.
inline bool is_connection_error(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const ConnectionError&) {
        return true;
    } catch (...) {
        return false;
    }
}

// ConnectionError("Connection is closed"), for waits that outlive the connection.
inline std::exception_ptr connection_closed() {
    return std::make_exception_ptr(ConnectionError(ECONNRESET, std::generic_category(), "Connection is closed"));
}

}  // namespace tulip::detail
