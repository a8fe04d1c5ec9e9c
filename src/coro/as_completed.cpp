#include "tulip/coro/as_completed.hpp"

#include "tulip/coro/timeouts.hpp"
#include "tulip/errors.hpp"

namespace tulip::detail {

CompletionQueue::CompletionQueue(std::vector<FutureBase*> futures, std::optional<double> timeout)
    : futures_(std::move(futures)), watch_(this, &CompletionQueue::on_done) {
    order_.reserve(futures_.size());
    watch_.reserve(futures_.size());
    for (std::size_t i = 0; i < futures_.size(); ++i) watch_.watch(i, *futures_[i]);
    if (timeout && watch_.watching() > 0) {
        timer_ = get_running_loop().call_later(*timeout, [this] { on_timeout(); });
    }
}

CompletionQueue::~CompletionQueue() {
    watch_.unwatch_all();
    timer_.cancel();
}

std::size_t CompletionQueue::pop() {
    if (taken_ == futures_.size()) throw RuntimeError("as_completed: every result was taken");
    ++taken_;
    if (head_ < order_.size()) return order_[head_++];
    raise_timeout_error();  // ready() said so: the deadline passed
}

void CompletionQueue::on_done(void* self, std::size_t index) noexcept {
    auto* q = static_cast<CompletionQueue*>(self);
    q->order_.push_back(index);  // reserved: no allocation, no throw
    if (q->watch_.watching() == 0) q->timer_.cancel();
    q->wake();
}

void CompletionQueue::on_timeout() noexcept {
    timed_out_ = true;
    watch_.unwatch_all();
    wake();
}

void CompletionQueue::wake() noexcept {
    if (TaskBase* task = std::exchange(waiter_, nullptr)) task->wake();
}

}  // namespace tulip::detail
