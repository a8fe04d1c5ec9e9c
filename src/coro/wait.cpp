#include "tulip/coro/wait.hpp"

#include <algorithm>

namespace tulip::detail {

WaitAwaiter::WaitAwaiter(std::vector<FutureBase*> futures, std::optional<double> timeout, ReturnWhen return_when)
    : futures_(std::move(futures)),
      timeout_(timeout),
      return_when_(return_when),
      left_(futures_.size()),
      watch_(this, &WaitAwaiter::on_done) {}

bool WaitAwaiter::satisfied(FutureBase& finished) noexcept {
    if (left_ == 0 || return_when_ == ReturnWhen::FIRST_COMPLETED) return true;
    // FIRST_EXCEPTION: exception() also marks it retrieved, as asyncio's callback does.
    return return_when_ == ReturnWhen::FIRST_EXCEPTION && !finished.cancelled() && finished.exception() != nullptr;
}

bool WaitAwaiter::await_ready() noexcept {
    // Satisfied already: no need to suspend (asyncio would yield once first).
    std::size_t done = 0;
    bool failed = false;
    for (FutureBase* f : futures_) {
        if (!f->done()) continue;
        ++done;
        if (return_when_ == ReturnWhen::FIRST_EXCEPTION && !f->cancelled() && f->exception()) failed = true;
    }
    return done == futures_.size() || (return_when_ == ReturnWhen::FIRST_COMPLETED && done > 0) || failed;
}

bool WaitAwaiter::await_suspend(std::coroutine_handle<> h) {
    task_ = current_task();
    if (!task_->suspend_on(this, h)) return false;
    watch_.reserve(futures_.size());
    for (std::size_t i = 0; i < futures_.size() && !released_; ++i) watch_.watch(i, *futures_[i]);
    if (!released_ && timeout_) {
        timer_ = task_->loop().call_later(std::max(0.0, *timeout_), [this] { release(); });
    }
    return true;
}

void WaitAwaiter::await_resume() {
    if (!task_) return;  // await_ready
    stop();
    task_->resumed();
}

bool WaitAwaiter::cancel_wait(const std::string&) noexcept {
    stop();
    return false;  // the futures are not ours to cancel
}

void WaitAwaiter::on_done(void* self, std::size_t index) noexcept {
    auto* w = static_cast<WaitAwaiter*>(self);
    --w->left_;
    if (w->satisfied(*w->futures_[index])) w->release();
}

void WaitAwaiter::release() noexcept {
    if (released_) return;
    released_ = true;
    stop();
    task_->wake();
}

void WaitAwaiter::stop() noexcept {
    watch_.unwatch_all();
    timer_.cancel();
}

}  // namespace tulip::detail
