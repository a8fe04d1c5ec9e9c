// loop/timer_queue: the loop's timers, a binary min-heap ordered by (deadline,
// sequence) so that timers due at the same time fire in the order they were set.
// Cancelling is O(1): the handle is flagged and its heap entry skipped when it
// surfaces; when cancelled entries outnumber live ones the heap is rebuilt, so
// memory stays proportional to the live timers (asyncio does the same).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "tulip/loop/handle.hpp"

namespace tulip {

class TimerQueue {
public:
    struct Entry {
        std::int64_t when;
        std::uint64_t seq;
        Handle* handle;  // the queue holds one reference
    };

    ~TimerQueue() { clear(); }

    void push(Handle* h, std::int64_t when) {
        heap_.push_back(Entry{when, next_seq_++, h});
        std::push_heap(heap_.begin(), heap_.end(), later);
    }
    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size() - cancelled_; }
    // The earliest live deadline, after discarding cancelled entries at the top.
    bool next_deadline(std::int64_t& when) {
        drop_cancelled_top();
        if (heap_.empty()) return false;
        when = heap_.front().when;
        return true;
    }
    // Pops every live timer due at `now`, in order, handing each to `sink` (which
    // takes over the queue's reference).
    template <class Sink>
    void pop_due(std::int64_t now, Sink&& sink) {
        for (;;) {
            drop_cancelled_top();
            if (heap_.empty() || heap_.front().when > now) return;
            std::pop_heap(heap_.begin(), heap_.end(), later);
            Handle* h = heap_.back().handle;
            heap_.pop_back();
            sink(h);
        }
    }
    // A handle in the heap was cancelled; rebuild when most entries are dead.
    void note_cancelled() {
        ++cancelled_;
        if (cancelled_ > 64 && cancelled_ * 2 > heap_.size()) compact();
    }
    void clear() {
        for (Entry& e : heap_) e.handle->release();
        heap_.clear();
        cancelled_ = 0;
    }

private:
    static bool later(const Entry& a, const Entry& b) noexcept {
        return a.when != b.when ? a.when > b.when : a.seq > b.seq;
    }
    void drop_cancelled_top() {
        while (!heap_.empty() && heap_.front().handle->cancelled()) {
            std::pop_heap(heap_.begin(), heap_.end(), later);
            heap_.back().handle->release();
            heap_.pop_back();
            --cancelled_;
        }
    }
    void compact() {
        auto dead = std::remove_if(heap_.begin(), heap_.end(), [](const Entry& e) {
            if (!e.handle->cancelled()) return false;
            e.handle->release();
            return true;
        });
        heap_.erase(dead, heap_.end());
        std::make_heap(heap_.begin(), heap_.end(), later);
        cancelled_ = 0;
    }

    std::vector<Entry> heap_;
    std::uint64_t next_seq_ = 0;
    std::size_t cancelled_ = 0;
};

}  // namespace tulip
