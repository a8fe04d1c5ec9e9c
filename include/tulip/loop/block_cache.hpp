// loop/block_cache: a per-thread cache of freed memory blocks by size class (16
// bytes apart, up to 2 KiB), so that a warm loop allocates nothing per callback,
// timer or coroutine call. Handles and coroutine frames come from it. A block may be freed
// on another thread than the one that made it (it joins that thread's cache);
// each class keeps at most 32 MiB, the rest goes back to the heap.
#pragma once

#include <cstddef>

namespace tulip::detail {

void* allocate_block(std::size_t size);
void free_block(void* block, std::size_t size) noexcept;

}  // namespace tulip::detail
