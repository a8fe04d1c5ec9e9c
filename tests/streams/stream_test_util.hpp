// Helpers for the streams tests: a clean run, bounded polling, a server's port,
// handlers that count themselves finished, the echo handlers the tests share, and
// feeding a StreamReader by hand.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>

#include "support/fds.hpp"
#include "tulip/tulip.hpp"

namespace tulip::testing {

// Runs `main()` to the end (tulip::run closes the loop), then checks that no task
// is left and no descriptor stayed open. `main` is a factory, so the coroutine
// is created inside the count.
template <class F>
void run_clean(F&& main) {
    const int fds = count_open_fds();
    run(main());
    EXPECT_TRUE(all_tasks().empty());
    EXPECT_EQ(count_open_fds(), fds);
}

// Polls `done` every millisecond; false if it still does not hold after `timeout` s.
inline Coro<bool> wait_until(std::function<bool()> done, double timeout = 2.0) {
    EventLoop& loop = get_running_loop();
    const double deadline = loop.time() + timeout;
    while (!done()) {
        if (loop.time() > deadline) co_return false;
        co_await sleep(0.001);
    }
    co_return true;
}

// Feeds `data` (then EOF if asked) from a loop callback, after the reader waits.
inline void feed_soon(const StreamReader& reader, std::string data, bool eof = false) {
    get_running_loop().call_soon([reader = StreamReader(reader), data = std::move(data), eof]() mutable {
        reader.feed_data(data);
        if (eof) reader.feed_eof();
    });
}

inline std::uint16_t port_of(const Server& server) { return server.sockets().at(0).getsockname().port(); }

// Counts a handler as finished when its frame goes, however it ended.
struct FinishedCounter {
    int& count;
    explicit FinishedCounter(int& c) noexcept : count(c) {}
    FinishedCounter(const FinishedCounter&) = delete;
    FinishedCounter& operator=(const FinishedCounter&) = delete;
    ~FinishedCounter() { ++count; }
};

// Echoes line by line until EOF, then closes.
inline Coro<void> echo_lines(StreamReader r, StreamWriter w, int& finished) {
    FinishedCounter counter(finished);
    for (;;) {
        std::string line = co_await r.readline();
        if (line.empty()) break;
        w.write(line);
        co_await w.drain();
    }
    w.close();
    co_await w.wait_closed();
}

// Echoes whatever arrives, as it arrives, until EOF; then the writer is dropped
// (which closes the connection).
inline Coro<void> echo_bytes(StreamReader r, StreamWriter w, int& finished) {
    FinishedCounter counter(finished);
    for (;;) {
        std::string data = co_await r.read(65536);
        if (data.empty()) break;
        w.write(data);
        co_await w.drain();
    }
}

}  // namespace tulip::testing
