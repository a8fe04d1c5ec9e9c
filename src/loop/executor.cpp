// ThreadPoolExecutor: Python's ThreadPoolExecutor reduced to what the loop needs.
#include "tulip/loop/executor.hpp"

#include <algorithm>
#include <utility>

#include "tulip/errors.hpp"
#include "tulip/loop/event_loop.hpp"

namespace tulip {

std::size_t ThreadPoolExecutor::default_max_workers() noexcept {
    unsigned n = std::thread::hardware_concurrency();
    return std::min<std::size_t>(32, (n == 0 ? 1 : n) + 4);
}

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers)
    : max_workers_(max_workers == 0 ? default_max_workers() : max_workers) {}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

std::size_t ThreadPoolExecutor::num_threads() const {
    std::lock_guard lock(mutex_);
    return threads_.size();
}

void ThreadPoolExecutor::submit(ExecutorJob* job) {
    std::unique_lock lock(mutex_);
    if (shutdown_) throw RuntimeError("cannot schedule new futures after shutdown");
    job->next_ = nullptr;
    (tail_ ? tail_->next_ : head_) = job;
    tail_ = job;
    ++queued_;
    // Python's _adjust_thread_count: a new worker only when no idle one will take it.
    if (queued_ > idle_ && threads_.size() < max_workers_) {
        try {
            threads_.emplace_back([this] { worker(); });
        } catch (...) {
            if (!threads_.empty()) return;  // a running worker will get to it
            head_ = tail_ = nullptr;  // nobody would: hand the job back
            queued_ = 0;
            throw;
        }
    }
    lock.unlock();
    ready_.notify_one();
}

void ThreadPoolExecutor::shutdown(bool wait) {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        shutdown_ = true;
        if (wait) threads.swap(threads_);
    }
    ready_.notify_all();
    for (std::thread& t : threads) t.join();
}

void ThreadPoolExecutor::worker() noexcept {
    std::unique_lock lock(mutex_);
    for (;;) {
        ++idle_;
        ready_.wait(lock, [this] { return head_ != nullptr || shutdown_; });
        --idle_;
        ExecutorJob* job = head_;
        if (!job) return;  // shut down and the queue is drained
        head_ = job->next_;
        if (!head_) tail_ = nullptr;
        --queued_;
        lock.unlock();
        job->run();
        lock.lock();
    }
}

void LoopJob::run() noexcept {
    work();
    loop_.post_job(this);
}

}  // namespace tulip
