// support/echo_server: what the app tests need around the echo programs: an
// echo-server started on a free port (--port 0, the port read back from its
// "Listening on" line), and the client-side socket helpers, all bounded in time.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"
#include "tulip/net.hpp"

namespace tulip::testing {

class EchoServer {
public:
    // echo-server --model <model> --port 0 <extra...>; throws if it never listens.
    explicit EchoServer(std::string_view model, const std::vector<std::string>& extra = {});

    // Sends `sig` and waits for the exit: its code, or -1 if it had to be killed.
    int stop(int sig = SIGTERM);

    Process process;
    std::uint16_t port = 0;
};

// A client connected to 127.0.0.1:port whose every call gives up after `timeout` s.
Socket connect_to(std::uint16_t port, double timeout = 5.0);
// Exactly n bytes; throws at EOF or when the socket's timeout expires.
std::string recv_exactly(Socket& sock, std::size_t n);
// Whatever arrives within `window` ("" if nothing does); restores the timeout.
std::string recv_within(Socket& sock, std::chrono::milliseconds window);
// True when the peer closed: recv() gives "" (or a reset) before the timeout.
bool sees_eof(Socket& sock);
// Closes with SO_LINGER {on, 0}: the peer gets a RST instead of a FIN.
void reset_and_close(Socket& sock);
// True when connecting to 127.0.0.1:port is refused (nobody listens).
bool refuses_connections(std::uint16_t port);

}  // namespace tulip::testing
