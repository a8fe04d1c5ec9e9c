// loop/executor: ThreadPoolExecutor, where the loop runs blocking calls
// (concurrent.futures.ThreadPoolExecutor as asyncio's run_in_executor uses it),
// and LoopJob, a job whose outcome is handed back to an event loop's thread.
// Layer 4 (loop). Future-typed wrappers live in tulip/coro/executor.hpp.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace tulip {

class EventLoop;

// One unit of work for a ThreadPoolExecutor: an intrusive queue entry.
class ExecutorJob {
public:
    ExecutorJob() = default;
    ExecutorJob(const ExecutorJob&) = delete;
    ExecutorJob& operator=(const ExecutorJob&) = delete;
    virtual ~ExecutorJob() = default;
    // On a worker thread. The job owns itself from here on (it deletes itself).
    virtual void run() noexcept = 0;

private:
    friend class ThreadPoolExecutor;
    ExecutorJob* next_ = nullptr;
};

// A FIFO queue served by worker threads, started lazily (one per submitted job
// while none is idle) up to max_workers, as Python's ThreadPoolExecutor does.
// Every method may be called from any thread, except that the destructor must
// not run on one of its own workers.
class ThreadPoolExecutor {
public:
    // 0 means Python's default, min(32, nproc + 4).
    explicit ThreadPoolExecutor(std::size_t max_workers = 0);
    ~ThreadPoolExecutor();  // shutdown(true)
    ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
    ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

    // Queues `job` (taking it). RuntimeError after shutdown, and the job stays the caller's.
    void submit(ExecutorJob* job);
    // No new jobs; the queued ones still run (Python's cancel_futures=False). With
    // `wait`, returns once every worker has exited. Idempotent.
    void shutdown(bool wait = true);

    std::size_t max_workers() const noexcept { return max_workers_; }
    std::size_t num_threads() const;  // workers started so far
    static std::size_t default_max_workers() noexcept;

private:
    void worker() noexcept;

    const std::size_t max_workers_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    ExecutorJob* head_ = nullptr;
    ExecutorJob* tail_ = nullptr;
    std::size_t queued_ = 0;
    std::size_t idle_ = 0;  // workers waiting for a job
    std::vector<std::thread> threads_;
    bool shutdown_ = false;
};

// A job for an event loop: work() runs on a worker, then finish() runs on the
// loop's thread (through its thread-safe queue) and the job is deleted there, so
// finish() may touch loop-thread-only objects (a Future). If the loop was closed
// meanwhile, the loop keeps the job and deletes it, unfinished, when destroyed.
class LoopJob : public ExecutorJob {
public:
    explicit LoopJob(EventLoop& loop) noexcept : loop_(loop) {}
    void run() noexcept final;

protected:
    virtual void work() noexcept = 0;    // worker thread
    virtual void finish() noexcept = 0;  // loop thread

private:
    friend class EventLoop;
    EventLoop& loop_;
};

}  // namespace tulip
