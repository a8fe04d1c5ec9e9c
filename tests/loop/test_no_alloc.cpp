// A warm loop allocates nothing per callback: this file replaces the global
// operator new with a counting one (for the whole test_loop binary; it only counts).
#include <atomic>
#include <cstdlib>
#include <new>

#include "loop_fixture.hpp"

// ThreadSanitizer's runtime defines operator new itself: no counting there.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TULIP_NO_COUNTING_NEW 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define TULIP_NO_COUNTING_NEW 1
#endif

namespace {
std::atomic<long> g_allocations{0};
}

#ifndef TULIP_NO_COUNTING_NEW
void* operator new(std::size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace tulip::test {
namespace {

class NoAlloc : public LoopTest {
protected:
    void SetUp() override {
#ifdef TULIP_NO_COUNTING_NEW
        GTEST_SKIP() << "operator new cannot be replaced under ThreadSanitizer";
#endif
    }
};

struct Chain {
    EventLoop& loop;
    int left = 0;
    void step() {
        if (--left > 0) {
            loop.call_soon([this] { step(); });
        } else {
            loop.stop();
        }
    }
    void run(int n) {
        left = n;
        loop.call_soon([this] { step(); });
        loop.run_forever();
    }
};

TEST_F(NoAlloc, SteadyStateCallSoonChainDoesNotAllocate) {
    Chain chain{loop};
    chain.run(1'000);  // warm-up: fills the handle pool and the backend's buffers
    long before = g_allocations.load();
    chain.run(10'000);
    long after = g_allocations.load();
    EXPECT_EQ(chain.left, 0);
    EXPECT_EQ(after - before, 0);
}

TEST_F(NoAlloc, SteadyStateTimersDoNotAllocate) {
    int fired = 0;
    auto batch = [&] {
        for (int i = 0; i < 100; ++i) loop.call_later(0, [&fired] { ++fired; });
        loop.call_later(0, [this] { loop.stop(); });
        loop.run_forever();
    };
    batch();  // warm-up: the heap's vector reaches its size
    long before = g_allocations.load();
    batch();
    EXPECT_EQ(g_allocations.load() - before, 0);
    EXPECT_EQ(fired, 200);
}

}  // namespace
}  // namespace tulip::test
