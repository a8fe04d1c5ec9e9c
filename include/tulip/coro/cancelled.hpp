// coro/cancelled: CancelledError, thrown at the co_await of a cancelled task.
// As in Python, where it is a BaseException, it does not derive from
// std::exception: `catch (const std::exception&)` never swallows a cancellation.
#pragma once

#include <string>
#include <utility>

namespace tulip {

class CancelledError {
public:
    CancelledError() = default;
    explicit CancelledError(std::string message) : message_(std::move(message)) {}
    const std::string& message() const noexcept { return message_; }
    const char* what() const noexcept { return message_.empty() ? "CancelledError" : message_.c_str(); }

private:
    std::string message_;
};

}  // namespace tulip
