// coro/queue: Queue<T>, PriorityQueue<T>, LifoQueue<T>, asyncio's queues — a
// bounded (maxsize > 0) or unbounded buffer between producer and consumer tasks,
// with task_done()/join() to wait until every item put has been processed.
// Waiting getters and putters are only signalled; each takes its item (or slot)
// itself once it runs, so a cancelled get() never loses an item. Fair: a task that
// calls get() (put()) while an earlier one has been woken but not run yet queues
// behind it. The *_nowait calls take what is there, as in asyncio. Loop thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/event.hpp"

namespace tulip {

// asyncio.QueueEmpty / asyncio.QueueFull, from get_nowait() / put_nowait().
class QueueEmpty : public std::runtime_error {
public:
    QueueEmpty() : std::runtime_error("QueueEmpty: the queue is empty") {}
};
class QueueFull : public std::runtime_error {
public:
    QueueFull() : std::runtime_error("QueueFull: the queue is full") {}
};

namespace detail {

// The untyped half of a queue: sizes, waiting tasks, unfinished-task count.
class QueueBase {
public:
    QueueBase(const QueueBase&) = delete;
    QueueBase& operator=(const QueueBase&) = delete;

    std::size_t qsize() const noexcept { return size_; }
    std::size_t maxsize() const noexcept { return maxsize_; }  // 0: unbounded
    bool empty() const noexcept { return size_ == 0; }
    bool full() const noexcept { return maxsize_ > 0 && size_ >= maxsize_; }
    // One item taken by get() is processed. ValueError if called more often than put.
    void task_done();
    // `co_await queue.join();` waits until task_done() was called for every item put.
    EventAwaiter join() noexcept { return finished_.wait(); }

protected:
    explicit QueueBase(std::size_t maxsize) noexcept : maxsize_(maxsize) { finished_.set(); }
    ~QueueBase() = default;

    // A get() or put() waiting for its turn. Woken tasks count as reservations
    // (woken_getters_, woken_putters_) until they run, which is what keeps a
    // newcomer from taking an item or slot meant for them.
    class Turn : public Waiter {
    public:
        Turn(QueueBase& owner, WaitQueue& line, std::size_t& woken, bool first_in_line) noexcept
            : owner_(owner), line_(line), woken_(woken), first_in_line_(first_in_line) {}
        bool await_ready() const noexcept { return false; }
        bool await_suspend(std::coroutine_handle<> h) { return suspend(line_, h, first_in_line_); }
        void await_resume() {
            resumed();
            if (take_signal()) --woken_;
        }

    private:
        void cancelled_after_signal() noexcept override {
            --woken_;
            owner_.wake_waiters();  // the item or slot goes to the next in line
        }

        QueueBase& owner_;
        WaitQueue& line_;
        std::size_t& woken_;
        bool first_in_line_;
    };

    // `first_in_line`: a woken task whose item or slot was taken by a *_nowait call
    // waits again at the front, keeping its place.
    Turn wait_to_get(bool first_in_line) noexcept {
        return Turn(*this, getters_, woken_getters_, first_in_line);
    }
    Turn wait_to_put(bool first_in_line) noexcept {
        return Turn(*this, putters_, woken_putters_, first_in_line);
    }
    bool may_get() const noexcept { return size_ > woken_getters_; }
    bool may_put() const noexcept { return maxsize_ == 0 || size_ + woken_putters_ < maxsize_; }
    void check_not_empty() const {
        if (empty()) throw QueueEmpty();
    }
    void check_not_full() const {
        if (full()) throw QueueFull();
    }
    void added() noexcept;    // an item went in
    void removed() noexcept;  // an item came out

private:
    void wake_waiters() noexcept;

    WaitQueue getters_;
    WaitQueue putters_;
    Event finished_;
    std::size_t maxsize_;
    std::size_t size_ = 0;
    std::size_t woken_getters_ = 0;
    std::size_t woken_putters_ = 0;
    std::size_t unfinished_tasks_ = 0;
};

// Where the items are kept: the order they come out in.
template <class T>
class FifoStore {
public:
    void push(T&& item) { items_.push_back(std::move(item)); }
    T pop() {
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

private:
    std::deque<T> items_;
};

template <class T>
class LifoStore {
public:
    void push(T&& item) { items_.push_back(std::move(item)); }
    T pop() {
        T item = std::move(items_.back());
        items_.pop_back();
        return item;
    }

private:
    std::vector<T> items_;
};

// Smallest first (heapq's order) under Compare.
template <class T, class Compare>
class HeapStore {
public:
    void push(T&& item) {
        items_.push_back(std::move(item));
        std::push_heap(items_.begin(), items_.end(), Greater{compare_});
    }
    T pop() {
        std::pop_heap(items_.begin(), items_.end(), Greater{compare_});
        T item = std::move(items_.back());
        items_.pop_back();
        return item;
    }

private:
    struct Greater {
        Compare& compare;
        bool operator()(const T& a, const T& b) const { return compare(b, a); }
    };
    std::vector<T> items_;
    Compare compare_;
};

}  // namespace detail

template <class T, class Store>
class BasicQueue : public detail::QueueBase {
public:
    using value_type = T;

    // maxsize 0: unbounded; else put() waits while qsize() == maxsize.
    explicit BasicQueue(std::size_t maxsize = 0) : QueueBase(maxsize) {}

    // Waits while the queue is full, then puts `item`. Cancelled, it puts nothing.
    Coro<void> put(T item) {
        if (!may_put()) {
            co_await wait_to_put(false);
            while (full()) co_await wait_to_put(true);
        }
        put_nowait(std::move(item));
    }
    // Waits while the queue is empty, then takes the next item. Cancelled, it takes none.
    Coro<T> get() {
        if (!may_get()) {
            co_await wait_to_get(false);
            while (empty()) co_await wait_to_get(true);
        }
        co_return get_nowait();
    }
    // QueueFull if full.
    void put_nowait(T item) {
        check_not_full();
        store_.push(std::move(item));
        added();
    }
    // QueueEmpty if empty.
    T get_nowait() {
        check_not_empty();
        T item = store_.pop();
        removed();
        return item;
    }

private:
    Store store_;
};

template <class T>
using Queue = BasicQueue<T, detail::FifoStore<T>>;
// Smallest item first (by Compare), as asyncio.PriorityQueue (heapq).
template <class T, class Compare = std::less<T>>
using PriorityQueue = BasicQueue<T, detail::HeapStore<T, Compare>>;
// Last in, first out.
template <class T>
using LifoQueue = BasicQueue<T, detail::LifoStore<T>>;

}  // namespace tulip
