// selectors/poll_selector: PollSelector, Python's selectors.PollSelector, on poll(2).
// No limit on fd numbers; each select() costs O(registrations) in the kernel and here.
#pragma once

#include <memory>

#include "tulip/selectors/selector.hpp"

namespace tulip {

class PollSelector final : public Selector {
public:
    PollSelector();
    ~PollSelector() override;

    // Costs one fstat per ready fd, to check that the fd still names the file it
    // named at add(): a stale registration (fd closed, maybe reused) goes dormant.
    const std::vector<Ready>& select_ns(std::int64_t timeout_ns) override;
    void close() override;

private:
    void watch(const Registration& reg) override;
    void rewatch(const Registration& reg) override;
    void unwatch(const Registration& reg) noexcept override;

    struct State;  // the pollfd array, kept in step with the registrations
    std::unique_ptr<State> state_;
};

}  // namespace tulip
