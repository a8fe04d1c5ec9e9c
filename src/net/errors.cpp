#include "tulip/errors.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace tulip {

namespace {

std::string python_message(int err, std::string_view text, std::string_view context) {
    if (context.empty()) return fmt::format("[Errno {}] {}", err, text);
    return fmt::format("[Errno {}] {}: {}", err, text, context);
}

class GaiCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "getaddrinfo"; }
    std::string message(int code) const override { return ::gai_strerror(code); }
};

const GaiCategory& gai_category() {
    static const GaiCategory category;
    return category;
}

}  // namespace

OSError::OSError(int err, std::string_view context)
    : std::system_error(err, std::generic_category()),
      message_(python_message(err, std::strerror(err), context)) {}

OSError::OSError(int err, const std::error_category& category, std::string message)
    : std::system_error(err, category), message_(std::move(message)) {}

GaiError::GaiError(int eai_code, std::string_view host)
    : OSError(eai_code, gai_category(), python_message(eai_code, ::gai_strerror(eai_code), host)) {}

void raise_os_error(int err, std::string_view context) {
    switch (err) {
        case EAGAIN:
        case EALREADY:
        case EINPROGRESS:
            throw BlockingIOError(err, context);
        case ECHILD:
            throw ChildProcessError(err, context);
        case EPIPE:
        case ESHUTDOWN:
            throw BrokenPipeError(err, context);
        case ECONNABORTED:
            throw ConnectionAbortedError(err, context);
        case ECONNREFUSED:
            throw ConnectionRefusedError(err, context);
        case ECONNRESET:
            throw ConnectionResetError(err, context);
        case EEXIST:
            throw FileExistsError(err, context);
        case ENOENT:
            throw FileNotFoundError(err, context);
        case EINTR:
            throw InterruptedError(err, context);
        case EISDIR:
            throw IsADirectoryError(err, context);
        case ENOTDIR:
            throw NotADirectoryError(err, context);
        case EACCES:
        case EPERM:
            throw PermissionError(err, context);
        case ESRCH:
            throw ProcessLookupError(err, context);
        case ETIMEDOUT:
            throw TimeoutError(err, context);
        default:
            throw OSError(err, context);
    }
}

}  // namespace tulip
