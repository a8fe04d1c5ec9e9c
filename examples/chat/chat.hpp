// chat/chat: what both chat servers share — seed 002's ChatServer exercise: the
// options, the broadcast format "{%Y/%m/%d %H:%M:%S} {ip}:{port}\n{msg}\n", line
// splitting with a bound, the server-console commands and the log lines.
// The two servers (selectors_chat.cpp, coroutine_chat.cpp) differ only in how
// they wait for sockets; what a client sees is the same.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "tulip/net/address.hpp"

namespace chat {

struct Options {
    std::string impl = "selectors";
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;            // 0: the kernel picks a free one
    std::size_t max_line = 64 * 1024;     // longest line accepted, without its "\n"
    std::size_t max_queue = 1024 * 1024;  // bytes waiting for one client before it is dropped
    bool quiet = false;                   // no log line per message
};

// How long a leaving client gets to take what was queued for it and say goodbye
// (see lingering close in each server) before its socket is closed regardless.
inline constexpr std::chrono::milliseconds linger_time{2000};

// One formatted broadcast, shared by every client's queue (one copy, N queues).
using Message = std::shared_ptr<const std::string>;

// "2024/05/01 12:00:00 127.0.0.1:50000\nhello\n": the seed's format, local time
// now, `sender` as "ip:port" (sender_name()).
Message format_message(std::string_view sender, std::string_view line);
// The seed's "{ip}:{port}" of a peer (an IPv6 host is not bracketed, as in the seed).
std::string sender_name(const tulip::Address& peer);

// What a client whose line is too long is told before it is disconnected.
std::string line_too_long(std::size_t max_line);

// A line without its end: "\n" or "\r\n" (telnet and nc -C send the latter).
std::string_view strip_line_end(std::string_view line);
// A client leaves with the line "quit" (the seed: data == b'quit').
inline bool is_quit(std::string_view line) {
    return line == "quit";
}

// Why a client left; the log says it as "127.0.0.1:50000 left (too slow)".
enum class Reason { quit, eof, reset, too_long, too_slow, server_stop };
std::string_view to_string(Reason reason);

// Splits a byte stream into lines, holding at most max_line bytes of an unfinished
// one: a line longer than that (its "\r" counts) is refused, never buffered.
// The buffer is released whenever it empties, so an idle client holds none.
class LineSplitter {
public:
    explicit LineSplitter(std::size_t max_line) : max_line_(max_line) {}

    // Calls on_line(line) for each complete line, without its end. Returns false
    // at the first line that is too long (what follows it is dropped).
    template <class OnLine>
    bool feed(std::string_view data, OnLine&& on_line) {
        buffer_.append(data);
        std::size_t start = 0;
        for (std::size_t end; (end = buffer_.find('\n', start)) != std::string::npos; start = end + 1) {
            if (end - start > max_line_) return refuse();
            on_line(strip_line_end(std::string_view(buffer_).substr(start, end - start + 1)));
        }
        buffer_.erase(0, start);
        if (buffer_.size() > max_line_) return refuse();
        if (buffer_.empty()) std::string().swap(buffer_);
        return true;
    }
    // What came after the last "\n" (at EOF the seed broadcasts it too).
    std::string take_rest() { return std::exchange(buffer_, std::string()); }

private:
    bool refuse() {
        std::string().swap(buffer_);
        return false;
    }

    std::size_t max_line_;
    std::string buffer_;
};

// The server console (stdin): collects lines and says when one is "quit" (the
// seed's cmd.strip() == 'quit'). Any other command prints the help.
class Console {
public:
    // Feeds what stdin gave; true once "quit" was typed.
    bool feed(std::string_view data);

private:
    std::string buffer_;
};

// True when stdin is something a selector can watch (a terminal, pipe or
// socket): not /dev/null or a regular file, which epoll refuses.
bool stdin_is_watchable();

// Log lines, flushed at once (the tests read them through a pipe).
void say(std::string_view line);
// "127.0.0.1:50000 left (quit)".
void say_left(std::string_view name, Reason reason);

}  // namespace chat
