#include "tulip/loop/block_cache.hpp"

#include <array>
#include <new>
#include <utility>

namespace tulip::detail {

namespace {

// Size classes 16 bytes apart (malloc's own step) up to 2 KiB; larger blocks go
// straight to the heap. Not coarser: an idle streams connection keeps two
// blocks (its task and its handler's frame), and 64-byte classes would cost
// it ~80 bytes of rounding (160 and 208 would be 192 and 256).
constexpr std::size_t granule = 16;
constexpr std::size_t largest_block = 2048;
constexpr std::size_t classes = largest_block / granule;
// A cap in bytes per class, not in blocks, so a burst of small frames (100,000
// tasks) is cached whole while large frames cannot pin much memory.
constexpr std::size_t max_cached_bytes_per_class = 32u << 20;

struct Cache {
    struct Block {
        Block* next;
    };
    std::array<Block*, classes> free{};
    std::array<std::size_t, classes> count{};
    bool alive = true;

    ~Cache() {
        alive = false;
        for (Block*& head : free) {
            while (head) ::operator delete(std::exchange(head, head->next));
        }
    }
};

thread_local Cache t_cache;

std::size_t class_of(std::size_t size) { return (size + granule - 1) / granule - 1; }

}  // namespace

void* allocate_block(std::size_t size) {
    std::size_t c = class_of(size);
    if (c >= classes) return ::operator new(size);
    if (Cache::Block* b = t_cache.free[c]) {
        t_cache.free[c] = b->next;
        --t_cache.count[c];
        return b;
    }
    return ::operator new((c + 1) * granule);
}

void free_block(void* frame, std::size_t size) noexcept {
    std::size_t c = class_of(size);
    if (c >= classes || !t_cache.alive || t_cache.count[c] * (c + 1) * granule >= max_cached_bytes_per_class) {
        ::operator delete(frame);
        return;
    }
    auto* b = static_cast<Cache::Block*>(frame);
    b->next = t_cache.free[c];
    t_cache.free[c] = b;
    ++t_cache.count[c];
}

}  // namespace tulip::detail
