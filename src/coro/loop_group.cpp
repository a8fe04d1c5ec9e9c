// LoopGroup: threads, each with its own loop (tulip::run), and a cross-thread stop
// that goes through call_soon_threadsafe, the one door into a loop from outside.
#include "tulip/coro/loop_group.hpp"

#include "tulip/coro/cancelled.hpp"
#include "tulip/coro/run.hpp"
#include "tulip/coro/task.hpp"
#include "tulip/errors.hpp"

namespace tulip {

LoopGroup::LoopGroup(int n_threads)
    : n_threads_(n_threads > 0 ? n_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {
    for (int i = 0; i < n_threads_; ++i) slots_.push_back(std::make_unique<Slot>());
}

LoopGroup::~LoopGroup() {
    stop();
    try {
        join();
    } catch (...) {
    }
}

// The body of thread `index`'s main task: publishes the loop and the task so
// that stop() can reach them, runs the user's main, and unpublishes them before
// tulip::run closes the loop.
Coro<void> LoopGroup::run_main(int index) {
    Slot& slot = *slots_[static_cast<std::size_t>(index)];
    struct Published {
        LoopGroup& group;
        Slot& slot;
        Published(LoopGroup& g, Slot& s) : group(g), slot(s) {
            std::lock_guard lock(group.mutex_);
            slot.loop = &get_running_loop();
            slot.task = current_task();
            if (group.stopping_) slot.task->cancel_task({});  // stopped before we began
        }
        ~Published() {
            std::lock_guard lock(group.mutex_);
            slot.loop = nullptr;
            slot.task = nullptr;
        }
    } published(*this, slot);
    co_await main_(index);
}

void LoopGroup::start(Main main) {
    if (!threads_.empty() || main_) throw RuntimeError("LoopGroup already started");
    main_ = std::move(main);
    for (int i = 0; i < n_threads_; ++i) {
        threads_.emplace_back([this, i] {
            try {
                run(run_main(i));
            } catch (...) {
                std::exception_ptr error = std::current_exception();
                std::lock_guard lock(mutex_);
                bool stopped_us = false;
                try {
                    std::rethrow_exception(error);
                } catch (const CancelledError&) {
                    stopped_us = stopping_;
                } catch (...) {
                }
                if (!stopped_us && !first_error_) first_error_ = error;
            }
        });
    }
}

void LoopGroup::stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& slot : slots_) {
        // While slot->loop is set the loop is open (it is cleared, under the lock,
        // before tulip::run closes it). The task pointer is read on the loop's thread,
        // where it is cleared too, so the callback never sees a finished task.
        if (slot->loop == nullptr) continue;
        Slot* s = slot.get();
        slot->loop->call_soon_threadsafe([s] {
            if (s->task) s->task->cancel_task({});
        });
    }
}

void LoopGroup::join() {
    for (std::thread& t : threads_)
        if (t.joinable()) t.join();
    std::lock_guard lock(mutex_);
    if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
}

void run_per_core(int n_threads, LoopGroup::Main main) {
    LoopGroup group(n_threads);
    group.start(std::move(main));
    group.join();
}

}  // namespace tulip
