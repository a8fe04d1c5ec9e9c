// tests/loop: a fixture every loop test uses — a fresh loop on the backend chosen
// by TULIP_BACKEND, and libuv's clean-close check at the end (loop closed, no
// descriptor left open that the test opened).
#pragma once

#include <gtest/gtest.h>

#include <functional>

#include "support/fds.hpp"
#include "tulip/loop.hpp"

namespace tulip::test {

class LoopTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (!loop.is_closed()) loop.close();
        EXPECT_TRUE(loop.is_closed());
        EXPECT_EQ(testing::count_open_fds(), fds_at_start_);  // the loop's own included
    }

    // Runs the loop until `seconds` have passed (a timer stops it).
    void run_for(double seconds) {
        loop.call_later(seconds, [this] { loop.stop(); });
        loop.run_forever();
    }

    int fds_at_start_ = testing::count_open_fds();
    EventLoop loop;
};

}  // namespace tulip::test
