// What the chat-server tests share: the server started on a free port (both
// --impl values), and a client that reads the room's messages
// ("YYYY/mm/dd HH:MM:SS ip:port\nline\n") with every wait bounded.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/echo_server.hpp"
#include "support/process.hpp"
#include "tulip/net.hpp"

namespace tulip::testing {

using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;

inline std::vector<std::string> chat_args(const std::string& impl, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--impl", impl, "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

struct ChatServer {
    explicit ChatServer(const std::string& impl, const std::vector<std::string>& extra = {})
        : process("chat-server", chat_args(impl, extra)) {
        static const std::regex listening(R"(^Listening on 127\.0\.0\.1:(\d+)$)");
        const auto line = process.wait_for_line(listening, 3s);
        if (!line) throw std::runtime_error("chat-server never said 'Listening on': " + process.err());
        port = static_cast<std::uint16_t>(std::stoi((*line)[1]));
    }

    // Waits until the log holds `needle`.
    bool logged(const std::string& needle, std::chrono::milliseconds timeout = 3s) {
        return process.wait_for_output(needle, timeout);
    }
    // Sends `sig` (0: nothing) and waits for the exit: its code, or -1 if it had to be killed.
    int wait_exit(int sig = 0) {
        if (sig != 0) process.send_signal(sig);
        if (auto code = process.wait(4s)) return *code;
        process.send_signal(SIGKILL);
        process.wait(2s);
        return -1;
    }

    Process process;
    std::uint16_t port = 0;
};

// One message of the room, parsed.
struct Received {
    std::time_t when = 0;  // the header's local time
    std::string sender;    // "ip:port"
    std::string text;
};

class ChatClient {
public:
    // Connects; `rcvbuf` (set before connecting, so the window starts small) makes a slow reader.
    explicit ChatClient(std::uint16_t port, std::optional<int> rcvbuf = std::nullopt) : sock(AF_INET, SOCK_STREAM) {
        if (rcvbuf) sock.setsockopt(SOL_SOCKET, SO_RCVBUF, *rcvbuf);
        sock.settimeout(3.0);
        sock.connect(Address::ipv4("127.0.0.1", port));
        name = sock.getsockname().to_string();
    }

    // Connects and waits until the server says the client joined (so it gets every broadcast after).
    ChatClient(ChatServer& server, std::optional<int> rcvbuf = std::nullopt) : ChatClient(server.port, rcvbuf) {
        if (!server.logged(name + " joined")) throw std::runtime_error(name + " never joined");
    }

    void send(std::string_view data) { sock.sendall(data); }

    // The next line without its "\n"; throws at EOF or after the socket's timeout.
    std::string read_line() {
        std::size_t end;
        while ((end = buffered.find('\n')) == std::string::npos) {
            std::string chunk = sock.recv(256 * 1024);
            if (chunk.empty()) throw std::runtime_error(name + ": EOF with '" + buffered + "' unread");
            buffered += chunk;
        }
        std::string line = buffered.substr(0, end);
        buffered.erase(0, end + 1);
        return line;
    }

    // The next message; its header must have the seed's format.
    Received read_message() {
        static const std::regex header(R"(^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d+\.\d+\.\d+\.\d+:\d+)$)");
        const std::string head = read_line();
        std::smatch m;
        if (!std::regex_match(head, m, header)) throw std::runtime_error(name + ": not a header: '" + head + "'");
        std::tm tm{};
        tm.tm_year = std::stoi(m[1]) - 1900;
        tm.tm_mon = std::stoi(m[2]) - 1;
        tm.tm_mday = std::stoi(m[3]);
        tm.tm_hour = std::stoi(m[4]);
        tm.tm_min = std::stoi(m[5]);
        tm.tm_sec = std::stoi(m[6]);
        tm.tm_isdst = -1;
        Received r{std::mktime(&tm), m[7].str(), ""};
        r.text = read_line();
        return r;
    }

    // True once the server closed the connection (EOF or reset), skipping what was in flight.
    bool sees_eof() { return tulip::testing::sees_eof(sock); }

    Socket sock;
    std::string name;  // "127.0.0.1:port", as the server names this client
    std::string buffered;
};

// Asserts that `r` is `text` from `sender`, stamped with the local time of about now.
inline void expect_message(const Received& r, const ChatClient& sender, const std::string& text) {
    EXPECT_EQ(r.sender, sender.name);
    EXPECT_EQ(r.text, text);
    const std::time_t now = std::time(nullptr);
    EXPECT_LE(r.when, now);
    EXPECT_GE(r.when, now - 5);
}

// The impls, for INSTANTIATE_TEST_SUITE_P.
inline const std::vector<std::string> chat_impls = {"selectors", "coroutine"};

}  // namespace tulip::testing
