#include "tulip/coro/run.hpp"

#include <atomic>

#include <fmt/format.h>

#include "tulip/coro/executor.hpp"

namespace tulip {

namespace detail {

std::uint64_t next_task_number() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

void cancel_all_tasks(EventLoop& loop) noexcept {
    try {
        std::vector<Ref<FutureBase>> pending;
        for (TaskBase* t : TaskBase::live_tasks()) {
            if (&t->loop() == &loop) pending.emplace_back(&t->future());
        }
        if (pending.empty()) return;
        for (auto& f : pending) f->cancel();
        std::size_t left = pending.size();
        for (auto& f : pending) {
            f->add_done_callback([&left, &loop] {
                if (--left == 0) loop.stop();
            });
        }
        loop.run_forever();
        for (auto& f : pending) {
            if (!f->done() || f->cancelled()) continue;
            if (std::exception_ptr e = f->exception()) {
                loop.call_exception_handler({"unhandled exception during tulip::run() shutdown", e, f->describe()});
            }
        }
    } catch (...) {
        EventLoop::default_exception_handler({"error while cancelling the remaining tasks", std::current_exception(), {}});
    }
}

void shutdown_default_executor(EventLoop& loop) noexcept {
    try {
        loop.run_until_complete(loop.shutdown_default_executor());
    } catch (...) {
        loop.call_exception_handler({"error while shutting down the default executor", std::current_exception(), {}});
    }
}

}  // namespace detail

std::vector<TaskBase*> all_tasks() {
    std::vector<TaskBase*> out;
    for (TaskBase* t : TaskBase::live_tasks()) {
        if (!t->future().done()) out.push_back(t);
    }
    return out;
}

}  // namespace tulip
