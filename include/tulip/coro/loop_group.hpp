// coro/loop_group: one event loop per thread (per core), each running its own copy
// of a main coroutine with tulip::run — how a server uses every core: each loop
// listens on the same port with ServerOptions{.reuse_port = true} (SO_REUSEPORT),
// and the kernel spreads the connections over the listeners.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tulip/coro/coro.hpp"

namespace tulip {

class EventLoop;
class TaskBase;

// Usage:
//   LoopGroup group;                    // one loop per core
//   group.start([](int index) -> Coro<void> {
//       Server s = co_await get_running_loop().create_server(factory, "", 8888,
//                                                            {.reuse_port = true});
//       co_await s.serve_forever();
//   });
//   ...; group.stop(); group.join();    // or run_per_core(n, main) to block until all end
//
// Each thread makes its own EventLoop (its backend from TULIP_BACKEND), so nothing
// is shared between loops: objects made on one loop stay on it.
class LoopGroup {
public:
    using Main = std::function<Coro<void>(int index)>;

    // n_threads <= 0: one per core (std::thread::hardware_concurrency()).
    explicit LoopGroup(int n_threads = 0);
    ~LoopGroup();  // stop() and join(), swallowing the mains' exceptions
    LoopGroup(const LoopGroup&) = delete;
    LoopGroup& operator=(const LoopGroup&) = delete;

    int size() const noexcept { return n_threads_; }
    // Starts the threads; thread i runs tulip::run(main(i)). Once only (RuntimeError).
    // Any thread but the group's own.
    void start(Main main);
    // Cancels every loop's main task (asyncio's task.cancel()); a main that has not
    // begun yet is cancelled as it begins. Any thread; idempotent.
    void stop();
    // Waits for every thread to end, then rethrows the first exception a main raised
    // (a CancelledError caused by stop() is not one). Any thread but the group's own.
    void join();

private:
    struct Slot {
        EventLoop* loop = nullptr;  // set while main(index) runs; guarded by mutex_
        TaskBase* task = nullptr;   // touched on that loop's thread only
    };
    Coro<void> run_main(int index);

    int n_threads_;
    Main main_;
    std::vector<std::thread> threads_;
    std::vector<std::unique_ptr<Slot>> slots_;
    std::mutex mutex_;
    bool stopping_ = false;            // guarded by mutex_
    std::exception_ptr first_error_;   // guarded by mutex_
};

// Runs main(0) .. main(n_threads - 1), each on its own thread and loop, and returns
// when all have ended; rethrows the first exception one raised. n_threads <= 0:
// one per core.
void run_per_core(int n_threads, LoopGroup::Main main);

}  // namespace tulip
