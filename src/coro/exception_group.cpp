#include "tulip/coro/exception_group.hpp"

#include <fmt/format.h>

#include "tulip/loop/event_loop.hpp"

namespace tulip {

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : message_(std::move(message)), exceptions_(std::move(exceptions)) {
    what_ = fmt::format("{} ({} sub-exception{})", message_, exceptions_.size(), exceptions_.size() == 1 ? "" : "s");
    const char* sep = ": ";
    for (const auto& e : exceptions_) {
        what_ += sep;
        what_ += describe_exception(e);
        sep = "; ";
    }
}

}  // namespace tulip
