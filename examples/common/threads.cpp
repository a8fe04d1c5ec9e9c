#include "common/threads.hpp"

namespace examples {

void Threads::reap() {
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->done.load()) {
            it->thread.join();
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
}

void Threads::join() {
    for (Entry& entry : entries_) entry.thread.join();
    entries_.clear();
}

}  // namespace examples
