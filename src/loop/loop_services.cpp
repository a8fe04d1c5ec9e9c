// EventLoop: signal handlers and the default executor.
#include <fmt/format.h>

#include "loop/loop_impl.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

void EventLoop::set_signal_handler(int sig, Handle* h) {
    HandleRef owned(h);  // released if we throw
    check_open();
    if (!impl_->signals) impl_->signals = std::make_unique<SignalHandlers>(*this);
    impl_->signals->add(sig, h);
}

bool EventLoop::remove_signal_handler(int sig) {
    if (!impl_->signals) {
        if (sig < 1 || sig >= NSIG) throw ValueError(fmt::format("invalid signal number {}", sig));
        return false;
    }
    return impl_->signals->remove(sig);
}

ThreadPoolExecutor& EventLoop::default_executor() {
    check_open();
    if (impl_->executor_shutdown_called) throw RuntimeError("Executor shutdown has been called");
    if (!impl_->executor) impl_->executor = std::make_unique<ThreadPoolExecutor>();
    return *impl_->executor;
}

void EventLoop::post_job(LoopJob* job) noexcept {
    // Owns the job until it runs; if the handle is dropped unrun (close), so is the job.
    struct Finish {
        LoopJob* job;
        explicit Finish(LoopJob* j) noexcept : job(j) {}
        Finish(Finish&& o) noexcept : job(std::exchange(o.job, nullptr)) {}
        ~Finish() { delete job; }
        void operator()() {
            LoopJob* j = std::exchange(job, nullptr);
            j->finish();
            delete j;
        }
    };
    std::lock_guard lock(impl_->threadsafe_mutex);
    if (impl_->threadsafe_closed) {
        impl_->orphans.push_back(job);  // deleted by ~EventLoop, on the loop's thread
        return;
    }
    try {
        impl_->threadsafe.push_back(Handle::make(Finish(job)));
    } catch (...) {
        impl_->orphans.push_back(job);
        return;
    }
    if (!std::exchange(impl_->wake_pending, true)) {
        std::uint64_t one = 1;
        sys::write(impl_->wake_fd, &one, sizeof one);
    }
}

bool EventLoop::shutdown_executor_async(LoopJob* done) {
    impl_->executor_shutdown_called = true;
    join_executor_helper();  // an earlier call's, if that call was cancelled
    if (!impl_->executor) return false;
    impl_->executor_helper = std::thread([executor = impl_->executor.get(), done] {
        executor->shutdown(true);
        done->run();
    });
    return true;
}

void EventLoop::join_executor_helper() noexcept {
    if (!impl_->executor_helper.joinable()) return;
    impl_->executor_helper.join();
    impl_->executor.reset();  // its workers were joined by the helper
}

}  // namespace tulip
