#include "support/echo_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <stdexcept>

namespace tulip::testing {
namespace {

std::vector<std::string> server_args(std::string_view model,
                                     const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--model", std::string(model), "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

EchoServer::EchoServer(std::string_view model, const std::vector<std::string>& extra)
    : process("echo-server", server_args(model, extra)) {
    static const std::regex listening(R"(^Listening on 127\.0\.0\.1:(\d+)$)");
    const auto line = process.wait_for_line(listening, std::chrono::seconds(5));
    if (!line) {
        throw std::runtime_error("echo-server never said 'Listening on': " + process.err());
    }
    port = static_cast<std::uint16_t>(std::stoi((*line)[1]));
}

int EchoServer::stop(int sig) {
    process.send_signal(sig);
    if (auto code = process.wait(std::chrono::seconds(5))) return *code;
    process.send_signal(SIGKILL);
    process.wait(std::chrono::seconds(5));
    return -1;
}

Socket connect_to(std::uint16_t port, double timeout) {
    return create_connection("127.0.0.1", port, timeout);
}

std::string recv_exactly(Socket& sock, std::size_t n) {
    std::string data;
    data.reserve(n);
    while (data.size() < n) {
        // recv(n) allocates n bytes first: ask for a socket buffer's worth at a time.
        std::string chunk = sock.recv(std::min<std::size_t>(n - data.size(), 256 * 1024));
        if (chunk.empty()) {
            throw std::runtime_error("EOF after " + std::to_string(data.size()) + " of " +
                                     std::to_string(n) + " bytes: '" + data + "'");
        }
        data += chunk;
    }
    return data;
}

std::string recv_within(Socket& sock, std::chrono::milliseconds window) {
    const auto saved = sock.gettimeout();
    sock.settimeout(std::chrono::duration<double>(window).count());
    std::string data;
    try {
        data = sock.recv(64 * 1024);
    } catch (const TimeoutError&) {
    }
    sock.settimeout(saved);
    return data;
}

bool sees_eof(Socket& sock) {
    try {
        for (;;) {
            if (sock.recv(64 * 1024).empty()) return true;  // skip what was still in flight
        }
    } catch (const TimeoutError&) {
        return false;
    } catch (const ConnectionResetError&) {
        return true;
    }
}

void reset_and_close(Socket& sock) {
    const linger option{1, 0};
    sock.setsockopt(SOL_SOCKET, SO_LINGER, &option, sizeof option);
    sock.close();
}

bool refuses_connections(std::uint16_t port) {
    try {
        connect_to(port, 2.0);
        return false;
    } catch (const ConnectionRefusedError&) {
        return true;
    }
}

}  // namespace tulip::testing
