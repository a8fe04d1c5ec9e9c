#include "tulip/coro/watch_set.hpp"

namespace tulip::detail {

void WatchSet::reserve(std::size_t count) {
    nodes_ = std::make_unique<Node[]>(count);
    count_ = count;
}

void WatchSet::watch(std::size_t index, FutureBase& future) {
    if (future.done()) {
        on_done_(owner_, index);
        return;
    }
    Node& node = nodes_[index];
    node.set = this;
    node.future = &future;
    node.notify = &WatchSet::notify;
    future.add_waiter(&node);
    ++linked_;
}

void WatchSet::unwatch_all() noexcept {
    for (std::size_t i = 0; i < count_ && linked_ > 0; ++i) {
        Node& node = nodes_[i];
        if (!node.future) continue;
        node.future->remove_waiter(&node);
        node.future = nullptr;
        --linked_;
    }
}

void WatchSet::notify(FutureBase::Waiter* waiter) noexcept {
    Node* node = static_cast<Node*>(waiter);
    WatchSet* set = node->set;
    node->future = nullptr;  // the future has unlinked it already
    --set->linked_;
    // Last: the owner may destroy the set.
    set->on_done_(set->owner_, static_cast<std::size_t>(node - set->nodes_.get()));
}

}  // namespace tulip::detail
