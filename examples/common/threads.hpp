// common/threads: the threads a thread-per-connection server started, Python's
// socketserver._Threads: start() reaps the threads that have finished (so a
// long-running server does not pile up dead ones) and join() waits for the rest.
// Thread affinity: one owning thread calls start() and join().
#pragma once

#include <atomic>
#include <cstdio>
#include <exception>
#include <list>
#include <thread>
#include <utility>

namespace examples {

class Threads {
public:
    Threads() = default;
    Threads(const Threads&) = delete;
    Threads& operator=(const Threads&) = delete;
    ~Threads() { join(); }

    // Runs `target` in a new thread. An exception escaping it is reported, never fatal.
    template <class Target>
    void start(Target&& target) {
        reap();
        Entry& entry = entries_.emplace_back();
        entry.thread = std::thread(
            [&done = entry.done](auto target) {
                try {
                    target();
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "thread failed: %s\n", e.what());
                }
                done.store(true);
            },
            std::forward<Target>(target));
    }

    void join();
    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct Entry {
        std::thread thread;
        std::atomic<bool> done{false};
    };
    void reap();

    std::list<Entry> entries_;  // a list: an Entry never moves while its thread runs
};

}  // namespace examples
