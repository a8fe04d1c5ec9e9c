// coro/watch_set: watches a fixed set of futures for completion — the machinery
// under gather, wait, shield and as_completed. Each future gets an intrusive
// waiter node (one array per set, nothing per future), and the owner is told
// synchronously, from the future's finish, which one is done. Loop thread only.
#pragma once

#include <cstddef>
#include <memory>

#include "tulip/coro/future_base.hpp"

namespace tulip::detail {

class WatchSet {
public:
    // Called once per watched future when it finishes (or at once, from watch(),
    // for one that is done already). It may destroy the WatchSet.
    using OnDone = void (*)(void* owner, std::size_t index) noexcept;

    WatchSet(void* owner, OnDone on_done) noexcept : owner_(owner), on_done_(on_done) {}
    WatchSet(const WatchSet&) = delete;
    WatchSet& operator=(const WatchSet&) = delete;
    ~WatchSet() { unwatch_all(); }

    // Room for `count` futures; call once, before watch().
    void reserve(std::size_t count);
    // Starts watching `future` as number `index` (< count).
    void watch(std::size_t index, FutureBase& future);
    // Stops watching every future not reported yet: no on_done for them afterwards.
    void unwatch_all() noexcept;
    std::size_t watching() const noexcept { return linked_; }

private:
    struct Node : FutureBase::Waiter {
        WatchSet* set = nullptr;
        FutureBase* future = nullptr;  // non-null while linked into its waiter list
    };
    static void notify(FutureBase::Waiter* waiter) noexcept;

    void* owner_;
    OnDone on_done_;
    std::unique_ptr<Node[]> nodes_;
    std::size_t count_ = 0;
    std::size_t linked_ = 0;
};

}  // namespace tulip::detail
