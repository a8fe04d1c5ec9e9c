// coro/frame_allocator: where coroutine frames come from. A per-thread cache of
// freed frames, by size class, so that a warm program allocates no memory per
// coroutine call; blocks may be freed on another thread than the one that made them.
#pragma once

#include <cstddef>

namespace tulip::detail {

void* allocate_frame(std::size_t size);
void free_frame(void* frame, std::size_t size) noexcept;

// Mixed into every promise type.
struct FrameAllocated {
    static void* operator new(std::size_t size) { return allocate_frame(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { free_frame(frame, size); }
};

}  // namespace tulip::detail
