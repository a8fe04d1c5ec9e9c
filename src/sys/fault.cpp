#include "sys/fault.hpp"

#include <array>
#include <mutex>
#include <random>
#include <vector>

namespace tulip::sys::fault {

bool g_active = false;

namespace {

// Each rule draws from its own generator, so its choices depend only on the
// calls it sees, not on how other threads' calls interleave with them.
struct ActiveRule {
    Rule rule;
    std::mt19937_64 random;
    std::uint64_t seen = 0;
    std::uint64_t made = 0;
};

struct State {
    std::mutex mutex;
    std::vector<ActiveRule> rules;
    std::array<std::uint64_t, static_cast<std::size_t>(Call::count_)> calls{};
    std::uint64_t faults = 0;
    std::uint64_t seed = 0x7a11b;
};

State& state() {
    static State s;
    return s;
}

}  // namespace

void inject(const Rule& rule) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.rules.push_back(ActiveRule{rule, std::mt19937_64(s.seed + 0x9e3779b97f4a7c15ull * s.rules.size())});
    __atomic_store_n(&g_active, true, __ATOMIC_RELEASE);
}

void seed(std::uint64_t value) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.seed = value;
}

void clear() {
    State& s = state();
    std::lock_guard lock(s.mutex);
    __atomic_store_n(&g_active, false, __ATOMIC_RELEASE);
    s.rules.clear();
    s.calls.fill(0);
    s.faults = 0;
}

std::uint64_t calls(Call call) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    return s.calls[static_cast<std::size_t>(call)];
}

std::uint64_t faults() {
    State& s = state();
    std::lock_guard lock(s.mutex);
    return s.faults;
}

Decision check_slow(Call call) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    ++s.calls[static_cast<std::size_t>(call)];
    for (ActiveRule& active : s.rules) {
        const Rule& r = active.rule;
        if (r.call != call) continue;
        if (active.seen++ < r.skip) continue;
        if (r.times != 0 && active.made >= r.times) continue;
        if (r.probability < 1.0 &&
            std::uniform_real_distribution<double>(0.0, 1.0)(active.random) >= r.probability) {
            continue;
        }
        ++active.made;
        ++s.faults;
        return Decision{r.error, r.error != 0 ? 0 : r.max_bytes};
    }
    return {};
}

}  // namespace tulip::sys::fault
