// Test support: bounded polling from a thread that runs no loop (the tests that
// drive LoopGroup / run_per_core from the gtest thread and wait for its loops).
#pragma once

#include <chrono>
#include <thread>

namespace tulip::testing {

// Spins, sleeping 1 ms between checks, until `done()` holds; false if it still
// does not after `seconds`.
template <class F>
bool eventually(F done, double seconds = 5.0) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace tulip::testing
