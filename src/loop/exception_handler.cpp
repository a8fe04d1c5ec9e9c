// The loop's default exception handler: one readable report on stderr, in the
// shape of asyncio's (message, then what it concerns, then the exception).
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include <fmt/format.h>

#include "tulip/loop/event_loop.hpp"

namespace tulip {

namespace {

std::string demangle(const char* name) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                                     &std::free);
    return status == 0 && out ? out.get() : name;
}

}  // namespace

// "ConnectionResetError: [Errno 104] Connection reset by peer", like Python's last traceback line.
std::string describe_exception(const std::exception_ptr& error) {
    if (!error) return {};
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        std::string type = demangle(typeid(e).name());
        if (type.rfind("tulip::", 0) == 0) type.erase(0, 7);
        return fmt::format("{}: {}", type, e.what());
    } catch (...) {
        auto* type = abi::__cxa_current_exception_type();
        return type ? demangle(type->name()) : "unknown exception";
    }
}

void EventLoop::default_exception_handler(const ExceptionContext& context) noexcept {
    try {
        std::string text = fmt::format("tulip: {}\n", context.message);
        if (!context.source.empty()) text += fmt::format("  {}\n", context.source);
        if (context.exception) text += fmt::format("  {}\n", describe_exception(context.exception));
        std::fputs(text.c_str(), stderr);
    } catch (...) {
        std::fputs("tulip: error while reporting an error\n", stderr);
    }
}

}  // namespace tulip
