#include "tulip/coro/run.hpp"

#include <atomic>

#include <fmt/format.h>

#include "tulip/coro/executor.hpp"

namespace tulip {

namespace detail {

std::string next_task_name() {
    static std::atomic<unsigned long> counter{0};
    return fmt::format("Task-{}", ++counter);
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
