#include "common/accept.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

#include "tulip/net/accept_errors.hpp"

namespace examples {

void report_accept_error(const tulip::OSError& error) {
    std::fprintf(stderr, "accept failed: %s; carrying on\n", error.what());
}

std::optional<Accepted> accept_client(tulip::Socket& listener, const StopSignal* stop) {
    try {
        auto [conn, address] = listener.accept();
        return Accepted{std::move(conn), address};
    } catch (const tulip::BlockingIOError&) {
        return std::nullopt;
    } catch (const tulip::OSError& e) {
        // First the stop: StopSignal sets its flag before it shuts the listener
        // down, so an accept() that the shutdown failed sees the flag set.
        if (stop != nullptr && stop->stop_requested()) return std::nullopt;
        if (!tulip::accept_error_is_transient(e.errno_value())) throw;
        report_accept_error(e);
        if (tulip::accept_error_is_shortage(e.errno_value())) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return std::nullopt;
    }
}

}  // namespace examples
