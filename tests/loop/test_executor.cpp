// run_in_executor and the default executor; loop.getaddrinfo.
#include <netdb.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "loop_fixture.hpp"
#include "tulip/coro.hpp"

namespace tulip::test {
namespace {

using Executor = LoopTest;

void expect_no_tasks() { EXPECT_TRUE(all_tasks().empty()); }

Coro<int> add_in_thread(EventLoop& loop, int a, int b, std::thread::id& worker) {
    Future<int> f = loop.run_in_executor([a, b, &worker] {
        worker = std::this_thread::get_id();
        return a + b;
    });
    co_return co_await f;
}

TEST_F(Executor, ReturnsTheResultComputedOnAnotherThread) {
    std::thread::id worker;
    EXPECT_EQ(loop.run_until_complete(add_in_thread(loop, 2, 3, worker)), 5);
    EXPECT_NE(worker, std::this_thread::get_id());
    loop.run_until_complete(loop.shutdown_default_executor());
    expect_no_tasks();
}

Coro<std::string> failing(EventLoop& loop) {
    Future<std::string> f = loop.run_in_executor([]() -> std::string { throw std::out_of_range("from worker"); });
    co_return co_await f;
}

TEST_F(Executor, ExceptionArrivesAsTheFuturesException) {
    EXPECT_THROW(
        {
            try {
                loop.run_until_complete(failing(loop));
            } catch (const std::out_of_range& e) {
                EXPECT_STREQ(e.what(), "from worker");
                throw;
            }
        },
        std::out_of_range);
    loop.run_until_complete(loop.shutdown_default_executor());
}

Coro<long> many(EventLoop& loop, int jobs, std::atomic<int>& running, std::atomic<int>& peak) {
    std::vector<Future<long>> futures;
    for (int i = 0; i < jobs; ++i) {
        futures.push_back(loop.run_in_executor([i, &running, &peak] {
            int now = ++running;
            int seen = peak.load();
            while (now > seen && !peak.compare_exchange_weak(seen, now)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            --running;
            return static_cast<long>(i);
        }));
    }
    long total = 0;
    for (auto& f : futures) total += co_await f;
    co_return total;
}

TEST_F(Executor, ManyConcurrentJobsUseABoundedPool) {
    std::atomic<int> running{0}, peak{0};
    constexpr int jobs = 200;
    EXPECT_EQ(loop.run_until_complete(many(loop, jobs, running, peak)), long{jobs} * (jobs - 1) / 2);
    std::size_t max = ThreadPoolExecutor::default_max_workers();
    EXPECT_EQ(max, std::min<std::size_t>(32, std::thread::hardware_concurrency() + 4));
    EXPECT_LE(loop.default_executor().num_threads(), max);
    EXPECT_LE(static_cast<std::size_t>(peak.load()), max);
    EXPECT_GT(peak.load(), 1);  // they did run concurrently
    loop.run_until_complete(loop.shutdown_default_executor());
}

Coro<void> shutdown_while_busy(EventLoop& loop, std::atomic<int>& finished) {
    std::vector<Future<void>> futures;
    for (int i = 0; i < 10; ++i) {
        futures.push_back(loop.run_in_executor([&finished] {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            ++finished;
        }));
    }
    co_await loop.shutdown_default_executor();  // joins the workers: every job ran
    EXPECT_EQ(finished.load(), 10);
    for (auto& f : futures) co_await f;  // their completions were posted before the join ended
    bool raised = false;
    try {
        (void)loop.run_in_executor([] { return 1; });
    } catch (const RuntimeError&) {
        raised = true;
    }
    EXPECT_TRUE(raised);
}

TEST_F(Executor, ShutdownWaitsForRunningJobsAndRefusesNewOnes) {
    std::atomic<int> finished{0};
    loop.run_until_complete(shutdown_while_busy(loop, finished));
    EXPECT_THROW(loop.default_executor(), RuntimeError);
    loop.run_until_complete(loop.shutdown_default_executor());  // again: nothing to do
}

TEST_F(Executor, ShutdownWithoutAnExecutorReturnsAtOnce) {
    loop.run_until_complete(loop.shutdown_default_executor());
    EXPECT_THROW(loop.default_executor(), RuntimeError);
}

Coro<void> cancel_job(EventLoop& loop, std::atomic<bool>& release, std::atomic<bool>& ran) {
    Future<int> f = loop.run_in_executor([&] {
        while (!release) std::this_thread::yield();
        ran = true;
        return 1;
    });
    EXPECT_TRUE(f.cancel());
    release = true;
    co_await sleep(0.01);
    EXPECT_TRUE(f.cancelled());
}

TEST_F(Executor, CancellingTheFutureDropsTheResult) {
    std::atomic<bool> release{false}, ran{false};
    loop.run_until_complete(cancel_job(loop, release, ran));
    loop.run_until_complete(loop.shutdown_default_executor());
    EXPECT_TRUE(ran);
}

TEST_F(Executor, ClosingTheLoopWithJobsInFlightLeaksNothing) {
    // Shared: the worker outlives this function (the fixture's loop joins it).
    auto release = std::make_shared<std::atomic<bool>>(false);
    {
        Future<int> f = loop.run_in_executor([release] {
            while (!*release) std::this_thread::yield();
            return 1;
        });
        EXPECT_FALSE(f.done());
    }
    loop.close();  // the job finishes after this; the loop keeps it until destroyed
    *release = true;
}

TEST_F(Executor, RunJoinsTheDefaultExecutor) {
    std::atomic<bool> done{false};
    auto main = [&]() -> Coro<void> {
        Future<void> f = get_running_loop().run_in_executor([] {});
        co_await f;
        (void)run_in_executor([&done] {  // not awaited: run() must still wait for it
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            done = true;
        });
    };
    run(main());
    EXPECT_TRUE(done);
    expect_no_tasks();
}

Coro<std::vector<AddrInfo>> resolve(EventLoop& loop) {
    co_return co_await loop.getaddrinfo("localhost", "80", AF_INET, SOCK_STREAM);
}

TEST_F(Executor, GetaddrinfoResolvesLocalhost) {
    std::vector<AddrInfo> infos = loop.run_until_complete(resolve(loop));
    ASSERT_FALSE(infos.empty());
    EXPECT_EQ(infos[0].family, AF_INET);
    EXPECT_EQ(infos[0].type, SOCK_STREAM);
    EXPECT_EQ(infos[0].address.host(), "127.0.0.1");
    EXPECT_EQ(infos[0].address.port(), 80);
    loop.run_until_complete(loop.shutdown_default_executor());
}

Coro<void> resolve_bad(EventLoop& loop) {
    // AI_NUMERICHOST: fails at once, without asking a DNS server.
    co_await loop.getaddrinfo("not-a-number", "80", 0, 0, 0, AI_NUMERICHOST);
}

TEST_F(Executor, GetaddrinfoFailureIsAGaiError) {
    EXPECT_THROW(loop.run_until_complete(resolve_bad(loop)), GaiError);
    loop.run_until_complete(loop.shutdown_default_executor());
}

}  // namespace
}  // namespace tulip::test
