// tulip errors: Python's exception hierarchy for I/O, as C++ exceptions (net layer).
// OSError carries errno and prints like Python ("[Errno 111] Connection refused");
// raise_os_error picks the subclass Python would raise for that errno.
// Bad arguments throw ValueError, missing keys KeyError, misuse RuntimeError,
// input that ends too soon EOFError.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace tulip {

class OSError : public std::system_error {
public:
    // `err` is a positive errno; `context` (optional) names what failed, e.g. an address.
    explicit OSError(int err, std::string_view context = {});
    OSError(int err, const std::error_category& category, std::string message);
    int errno_value() const noexcept { return code().value(); }
    const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

#define TULIP_OS_ERROR(Name, Base)                                          \
    class Name : public Base {                                              \
    public:                                                                 \
        using Base::Base;                                                   \
    };

TULIP_OS_ERROR(BlockingIOError, OSError)          // EAGAIN, EWOULDBLOCK, EALREADY, EINPROGRESS
TULIP_OS_ERROR(ChildProcessError, OSError)        // ECHILD
TULIP_OS_ERROR(ConnectionError, OSError)
TULIP_OS_ERROR(BrokenPipeError, ConnectionError)  // EPIPE, ESHUTDOWN
TULIP_OS_ERROR(ConnectionAbortedError, ConnectionError)
TULIP_OS_ERROR(ConnectionRefusedError, ConnectionError)
TULIP_OS_ERROR(ConnectionResetError, ConnectionError)
TULIP_OS_ERROR(FileExistsError, OSError)
TULIP_OS_ERROR(FileNotFoundError, OSError)
TULIP_OS_ERROR(InterruptedError, OSError)
TULIP_OS_ERROR(IsADirectoryError, OSError)
TULIP_OS_ERROR(NotADirectoryError, OSError)
TULIP_OS_ERROR(PermissionError, OSError)          // EACCES, EPERM
TULIP_OS_ERROR(ProcessLookupError, OSError)
TULIP_OS_ERROR(TimeoutError, OSError)             // ETIMEDOUT, and a socket's own timeout
#undef TULIP_OS_ERROR

// socket.gaierror: getaddrinfo's failures; errno_value() is the EAI_* code.
class GaiError : public OSError {
public:
    GaiError(int eai_code, std::string_view host);
};

// Python's ValueError, KeyError and RuntimeError.
class ValueError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};
class KeyError : public std::out_of_range {
public:
    using std::out_of_range::out_of_range;
};
class RuntimeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
// Python's EOFError: the input ended before what was asked for arrived
// (the base of the streams' IncompleteReadError).
class EOFError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws the OSError subclass that Python maps `err` (a positive errno) to.
[[noreturn]] void raise_os_error(int err, std::string_view context = {});

// Throws for a negative sys:: result (-errno); returns a non-negative one unchanged.
template <class T>
T check(T result, std::string_view context = {}) {
    if (result < 0) raise_os_error(static_cast<int>(-result), context);
    return result;
}

}  // namespace tulip
