#include "common/accept.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <thread>

namespace examples {

// accept(2): these errors concern the connection being accepted (or are
// momentary), and on Linux the network ones "should be treated like EAGAIN by retrying".
bool is_per_connection_error(int err) {
    constexpr int errors[] = {ECONNABORTED, EPROTO,      EPERM,     ENOBUFS, ENOMEM,       EMFILE,     ENFILE,
                              ENETDOWN,     ENOPROTOOPT, EHOSTDOWN, ENONET,  EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH};
    return std::find(std::begin(errors), std::end(errors), err) != std::end(errors);
}

bool is_out_of_descriptors(int err) {
    return err == EMFILE || err == ENFILE;
}

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
        if (!is_per_connection_error(e.errno_value())) throw;
        report_accept_error(e);
        if (is_out_of_descriptors(e.errno_value())) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return std::nullopt;
    }
}

}  // namespace examples
