#include "chat/chat.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace chat {
namespace {

// "%Y/%m/%d %H:%M:%S" of now, in local time: formatted once per second, not per message.
std::string_view timestamp() {
    thread_local std::time_t cached_second = -1;
    thread_local std::string cached;
    const std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        cached_second = now;
        cached = fmt::format("{:%Y/%m/%d %H:%M:%S}", fmt::localtime(now));
    }
    return cached;
}

std::string_view strip_spaces(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

}  // namespace

Message format_message(std::string_view sender, std::string_view line) {
    return std::make_shared<const std::string>(fmt::format("{} {}\n{}\n", timestamp(), sender, line));
}

std::string sender_name(const tulip::Address& peer) {
    return fmt::format("{}:{}", peer.host(), peer.port());
}

std::string line_too_long(std::size_t max_line) {
    return fmt::format("line too long (max {} bytes)\n", max_line);
}

std::string_view strip_line_end(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::string_view to_string(Reason reason) {
    switch (reason) {
        case Reason::quit:
            return "quit";
        case Reason::eof:
            return "EOF";
        case Reason::reset:
            return "connection lost";
        case Reason::too_long:
            return "line too long";
        case Reason::too_slow:
            return "too slow: queue full";
        case Reason::server_stop:
            return "server stopping";
    }
    return "?";
}

bool Console::feed(std::string_view data) {
    buffer_.append(data);
    for (std::size_t end; (end = buffer_.find('\n')) != std::string::npos;) {
        const std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        const std::string_view command = strip_spaces(line);
        if (command == "quit") return true;
        if (!command.empty()) say("Commands: quit (disconnects every client and stops the server)");
    }
    if (buffer_.size() > 4096) buffer_.clear();  // nobody types that much: not a command
    return false;
}

bool stdin_is_watchable() {
    if (::isatty(STDIN_FILENO)) return true;
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) != 0) return false;
    return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

void say(std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void say_left(std::string_view name, Reason reason) {
    say(fmt::format("{} left ({})", name, to_string(reason)));
}

}  // namespace chat
