// selector_scale: what one select() costs as idle registrations pile up, per backend.
// For N idle descriptors plus one active socketpair, times rounds of
// "write 1 byte -> select -> read it" and prints microseconds per round (median of
// --reps runs). epoll's cost should stay flat in N; poll's and select's grow with it.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tulip/errors.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/selectors.hpp"

namespace {

using tulip::Selector;
using tulip::Socket;

struct Options {
    int max_fds = 10'000;
    int reps = 3;
    double cell_seconds = 0.25;  // wall time aimed at per repetition of one cell
};

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void raise_fd_limit() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

// `rounds` of write -> select -> read on the active pair; returns the seconds taken.
double run_rounds(Selector& selector, Socket& writer, Socket& reader, long rounds) {
    char byte = 'x';
    double start = now();
    for (long i = 0; i < rounds; ++i) {
        writer.send(std::string_view(&byte, 1));
        if (selector.select().size() != 1) throw tulip::RuntimeError("expected one ready fd");
        reader.recv_into(std::span<char>(&byte, 1));
    }
    return now() - start;
}

// Microseconds per round, median of the repetitions; nullopt when the backend
// refuses one of the descriptors (select() and fd >= FD_SETSIZE).
std::optional<double> measure(Selector& selector, const std::vector<Socket>& idle,
                              const Options& options) {
    auto [writer, reader] = Socket::pair();
    try {
        for (const Socket& sock : idle) selector.add(sock, tulip::EVENT_READ);
        selector.add(reader, tulip::EVENT_READ);
    } catch (const tulip::ValueError&) {
        return std::nullopt;
    }
    long rounds = 16;  // calibrate: double until a run is long enough to time
    double took;
    while ((took = run_rounds(selector, writer, reader, rounds)) < 0.02) rounds *= 2;
    rounds =
        std::max(1L, static_cast<long>(static_cast<double>(rounds) * options.cell_seconds / took));
    std::vector<double> per_round;
    for (int r = 0; r < options.reps; ++r)
        per_round.push_back(run_rounds(selector, writer, reader, rounds) * 1e6 /
                            static_cast<double>(rounds));
    std::sort(per_round.begin(), per_round.end());
    return per_round[per_round.size() / 2];
}

struct Backend {
    const char* name;
    std::function<std::unique_ptr<Selector>()> make;
};

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{"selector_scale: microseconds per select() round as idle fds grow"};
    app.add_option("--max-fds", options.max_fds, "largest number of idle descriptors (10..N, x10)")
        ->check(CLI::Range(10, 18'000));
    app.add_option("--reps", options.reps, "repetitions per cell; the median is shown")
        ->check(CLI::Range(1, 99));
    app.add_option("--cell-seconds", options.cell_seconds, "time aimed at per repetition")
        ->check(CLI::Range(0.01, 10.0));
    CLI11_PARSE(app, argc, argv);
    raise_fd_limit();

    const std::vector<Backend> backends{
        {"select", [] { return std::make_unique<tulip::SelectSelector>(); }},
        {"poll", [] { return std::make_unique<tulip::PollSelector>(); }},
        {"epoll", [] { return std::make_unique<tulip::EpollSelector>(); }},
        {"uring", [] { return std::make_unique<tulip::UringSelector>(); }},
    };
    std::vector<int> sizes;
    for (int n = 10; n <= options.max_fds; n *= 10) sizes.push_back(n);

    fmt::print(
        "µs per round (write 1 byte -> select -> read), median of {}; N idle fds + 1 active\n\n",
        options.reps);
    fmt::print("| idle fds |");
    for (const Backend& b : backends) fmt::print(" {} |", b.name);
    fmt::print("\n|---:|");
    for (std::size_t i = 0; i < backends.size(); ++i) fmt::print("---:|");
    fmt::print("\n");

    std::vector<std::vector<std::optional<double>>> table;
    for (int n : sizes) {
        std::vector<Socket> idle;  // n idle descriptors: n / 2 connected pairs
        for (int i = 0; i < n / 2; ++i) {
            auto [a, b] = Socket::pair();
            idle.push_back(std::move(a));
            idle.push_back(std::move(b));
        }
        fmt::print("| {} |", n);
        std::fflush(stdout);
        table.emplace_back();
        for (const Backend& b : backends) {
            std::unique_ptr<Selector> selector = b.make();
            std::optional<double> us = measure(*selector, idle, options);
            table.back().push_back(us);
            if (us) {
                fmt::print(" {:.2f} |", *us);
            } else {
                fmt::print(" refused (fd >= FD_SETSIZE) |");
            }
            std::fflush(stdout);
        }
        fmt::print("\n");
    }

    auto ratio = [&](std::size_t backend) -> std::string {
        const auto& first = table.front()[backend];
        const auto& last = table.back()[backend];
        if (!first || !last) return "n/a";
        return fmt::format("{:.2f}", *last / *first);
    };
    fmt::print("\nepoll({0}) / epoll({1}) = {2} (goal <= 1.2)\n", sizes.back(), sizes.front(),
               ratio(2));
    fmt::print("poll({0}) / poll({1}) = {2}\n", sizes.back(), sizes.front(), ratio(1));
    return 0;
}
