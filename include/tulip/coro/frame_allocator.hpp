// coro/frame_allocator: coroutine frames (and task states) come from the loop's
// per-thread block cache (loop/block_cache.hpp), not straight from malloc.
#pragma once

#include <cstddef>

#include "tulip/loop/block_cache.hpp"

namespace tulip::detail {

// Mixed into every promise type, and into TaskState.
struct FrameAllocated {
    static void* operator new(std::size_t size) { return allocate_block(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { free_block(frame, size); }
};

}  // namespace tulip::detail
