// loop_bench: the event loop's and the coroutine layer's hot paths, one number
// each, in nanoseconds per operation (the `ns_per_op` counter): call_soon
// dispatch, create_task + completion, call_later + cancel among a million pending
// timers, and a `co_await sleep(0)` round. Goals and results: docs/benchmarks.md;
// bench/loop_compare.py runs this beside the same code on CPython's asyncio.
// Each benchmark runs a fixed number of iterations, so the whole set is bounded.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tulip/tulip.hpp"

namespace {

using tulip::Coro;
using tulip::EventLoop;
using tulip::Task;

// ns per operation: Google Benchmark divides the time by (ops x iterations).
void report_ops(benchmark::State& state, std::int64_t ops_per_iteration) {
    state.counters["ns_per_op"] = benchmark::Counter(static_cast<double>(ops_per_iteration),
                                                     benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
    state.SetItemsProcessed(state.iterations() * ops_per_iteration);
}

// ---- call_soon ----

// Each callback schedules the next one, `left` times, then stops the loop.
struct ChainStep {
    EventLoop* loop;
    std::int64_t* left;
    void operator()() const {
        if (--*left > 0) {
            loop->call_soon(*this);
        } else {
            loop->stop();
        }
    }
};

void BM_call_soon_chain(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    EventLoop loop;
    for (auto _ : state) {
        std::int64_t left = n;
        loop.call_soon(ChainStep{&loop, &left});
        loop.run_forever();
    }
    report_ops(state, n);
}

// N callbacks queued at once, then one run of the loop drains them.
void BM_call_soon_batch(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    EventLoop loop;
    std::int64_t counter = 0;
    for (auto _ : state) {
        for (std::int64_t i = 0; i < n; ++i) loop.call_soon([&counter] { ++counter; });
        loop.call_soon([&loop] { loop.stop(); });
        loop.run_forever();
    }
    benchmark::DoNotOptimize(counter);
    report_ops(state, n);
}

// ---- create_task ----

Coro<void> noop() { co_return; }

// N tasks created, then awaited one after the other (most are done by then).
Coro<void> spawn_batch(std::int64_t n, std::vector<Task<void>>& tasks) {
    for (std::int64_t i = 0; i < n; ++i) tasks.push_back(tulip::create_task(noop()));
    for (Task<void>& t : tasks) co_await t;
    tasks.clear();
}

void BM_create_task_batch(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    EventLoop loop;
    std::vector<Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (auto _ : state) loop.run_until_complete(spawn_batch(n, tasks));
    report_ops(state, n);
}

// One task at a time: create it, await it (the parent suspends, the child runs,
// its completion wakes the parent).
Coro<void> spawn_await_each(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) co_await tulip::create_task(noop());
}

void BM_create_task_await_each(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    EventLoop loop;
    for (auto _ : state) loop.run_until_complete(spawn_await_each(n));
    report_ops(state, n);
}

// ---- timers ----

// A table of delays, cycled, so that the timed loop does not time a generator.
std::vector<double> delays_between(double low, double high, std::size_t count) {
    std::vector<double> out(count);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (double& d : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        d = low + (high - low) * static_cast<double>(x >> 11) * 0x1.0p-53;
    }
    return out;
}

// One call_later + cancel per iteration while range(0) other timers are pending,
// all due in 1-2 hours. range(1) picks the new timer's delay: 0 = random in the
// same range (a typical mix), 1 = sooner than every pending one (it climbs to the
// top of the heap: the worst case of a binary heap).
void BM_timer_add_cancel(benchmark::State& state) {
    const auto pending = static_cast<std::size_t>(state.range(0));
    const bool soonest = state.range(1) == 1;
    EventLoop loop;
    std::vector<tulip::TimerHandle> keep;
    keep.reserve(pending);
    std::vector<double> spread = delays_between(3600, 7200, pending ? pending : 1);
    for (std::size_t i = 0; i < pending; ++i) keep.push_back(loop.call_later(spread[i], [] {}));
    std::vector<double> delays = delays_between(soonest ? 1 : 3600, soonest ? 2 : 7200, 4096);
    std::size_t i = 0;
    for (auto _ : state) {
        tulip::TimerHandle h = loop.call_later(delays[i++ & 4095], [] {});
        h.cancel();
    }
    report_ops(state, 1);
    keep.clear();
    loop.close();
}

// ---- sleep(0) ----

Coro<void> yield_n(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) co_await tulip::sleep(0);
}

void BM_sleep0(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    EventLoop loop;
    for (auto _ : state) loop.run_until_complete(yield_n(n));
    report_ops(state, n);
}

// Two tasks taking turns: each sleep(0) lets the other run (the usual reason to yield).
void BM_sleep0_two_tasks(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    EventLoop loop;
    auto both = [](std::int64_t rounds) -> Coro<void> {
        Task<void> other = tulip::create_task(yield_n(rounds));
        co_await yield_n(rounds);
        co_await other;
    };
    for (auto _ : state) loop.run_until_complete(both(n / 2));
    report_ops(state, n);
}

// Fixed iteration counts keep every benchmark well under a second per repetition
// (the 1 M-timer setup included) on a slow shared machine.
constexpr std::int64_t batch = 100'000;

BENCHMARK(BM_call_soon_chain)->Arg(batch)->Iterations(20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_call_soon_batch)->Arg(batch)->Iterations(20)->Unit(benchmark::kMillisecond);
// 1,000 tasks stay in cache; 100,000 (about 40 MB of tasks and frames) do not.
BENCHMARK(BM_create_task_batch)->Arg(1'000)->Iterations(1'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_create_task_batch)->Arg(batch)->Iterations(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_create_task_await_each)->Arg(batch)->Iterations(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_timer_add_cancel)
    ->ArgNames({"pending", "soonest"})
    ->Args({0, 0})
    ->Args({1'000'000, 0})
    ->Args({1'000'000, 1})
    ->Iterations(3'000'000)
    ->Unit(benchmark::kNanosecond);
BENCHMARK(BM_sleep0)->Arg(batch)->Iterations(20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sleep0_two_tasks)->Arg(batch)->Iterations(20)->Unit(benchmark::kMillisecond);

}  // namespace

// Three repetitions and their median by default; flags given on the command line
// come later and win (e.g. --benchmark_repetitions=1 --benchmark_filter=timer).
int main(int argc, char** argv) {
    std::vector<char*> args{argv[0]};
    std::string reps = "--benchmark_repetitions=3";
    std::string aggregates = "--benchmark_report_aggregates_only=true";
    args.push_back(reps.data());
    args.push_back(aggregates.data());
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
