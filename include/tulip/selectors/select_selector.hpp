// selectors/select_selector: SelectSelector, Python's selectors.SelectSelector, on
// select(2). Portable and simple, but fd numbers stop at FD_SETSIZE (1024) and each
// select() scans every number up to the highest registered one.
#pragma once

#include <memory>

#include "tulip/selectors/selector.hpp"

namespace tulip {

class SelectSelector final : public Selector {
public:
    static constexpr int max_fd = 1023;  // FD_SETSIZE - 1: add() refuses larger fds (ValueError)

    SelectSelector();
    ~SelectSelector() override;

    // Costs one fstat per ready fd (and one per registration when select(2) reports
    // EBADF), to check that each fd still names the file it named at add(): a stale
    // registration (fd closed, maybe reused) goes dormant instead of being reported.
    const std::vector<Ready>& select_ns(std::int64_t timeout_ns) override;
    void close() override;

private:
    void watch(const Registration& reg) override;
    void rewatch(const Registration& reg) override;
    void unwatch(const Registration& reg) noexcept override;
    void unwatch_stale();  // after EBADF: drops every registration whose fd is gone

    struct State;  // the read and write fd_sets and the highest fd in them
    std::unique_ptr<State> state_;
};

}  // namespace tulip
