// coro/exception_group: ExceptionGroup, what a TaskGroup raises when its tasks
// (or its body) failed: every error, in the order they happened. what() lists
// them as Python's traceback would ("ValueError: bad input"). A CancelledError is
// never in one (Python's ExceptionGroup holds only Exceptions).
#pragma once

#include <exception>
#include <string>
#include <vector>

namespace tulip {

class ExceptionGroup : public std::exception {
public:
    ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);

    // "unhandled errors in a TaskGroup" (without the count that what() adds).
    const std::string& message() const noexcept { return message_; }
    const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }
    // "unhandled errors in a TaskGroup (2 sub-exceptions): ValueError: x; TimeoutError: "
    const char* what() const noexcept override { return what_.c_str(); }

private:
    std::string message_;
    std::vector<std::exception_ptr> exceptions_;
    std::string what_;
};

}  // namespace tulip
