// CallCounter: counts the given syscalls while it lives, through the fault layer
// (a rule that never fires turns counting on). For tests that prove a path makes
// no syscall, or one per message.
#pragma once

#include <cerrno>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "sys/fault.hpp"

namespace tulip::testing {

class CallCounter {
public:
    explicit CallCounter(std::initializer_list<sys::fault::Call> calls) : calls_(calls) {
        for (sys::fault::Call call : calls_) sys::fault::inject({.call = call, .error = EIO, .skip = ~0ull});
    }
    // The calls counted so far, all kinds together.
    std::uint64_t count() const {
        std::uint64_t n = 0;
        for (sys::fault::Call call : calls_) n += sys::fault::calls(call);
        return n;
    }

private:
    sys::fault::Scope scope_;
    std::vector<sys::fault::Call> calls_;
};

}  // namespace tulip::testing
