// echo/voice: the words of each seed. The models share the mechanics (accept,
// recv, queue, send); the seed a model ports decides what it prints and what it
// replies. With --plain a Voice is silent about messages and the reply is the
// message itself: a pure byte echo for tests and benchmarks. Failures are
// always reported, on stderr.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "tulip/net/address.hpp"

namespace echo {

enum class Dialect {
    // 000, first server: "客户端发来消息: hi", reply "服务端收到, 你发的消息是: hi".
    seed000_blocking,
    // 000, threads and socketserver: "客户端(ip: 127.0.0.1, port: 5000) 发来消息: hi".
    seed000_threaded,
    // 000, select/poll/epoll/selectors: "收到客户端 127.0.0.1:5000 发来的消息: `hi`".
    seed000_multiplexed,
    // 001, listings 3.2-3.6: "I got data: b'hi'!", "All the data is: b'hi\r\n'", echo.
    seed001_lines,
    // 001, listing 3.7: "I got some data: b'hi'", echo, "No events, waiting a bit more!".
    seed001_selectors,
    // 004: "received \"b'hi'\" from ('127.0.0.1', 5000)", reply "Server received b'hi'".
    seed004,
};

// Seed 000's reply prefix. (The seed writes it with an ASCII comma in its first
// three servers and a full-width one in the others; one spelling here.)
inline constexpr std::string_view seed000_prefix = "服务端收到, 你发的消息是: ";

class Voice {
public:
    Voice(Dialect dialect, bool plain) : dialect_(dialect), plain_(plain) {}

    void connected(const tulip::Address& peer) const;
    void received(const tulip::Address& peer, std::string_view data) const;
    void line(std::string_view line) const;  // a whole line is in (seed 001's framing)
    void disconnected(const tulip::Address& peer) const;
    void failed(const tulip::Address& peer, const std::exception& error) const;
    void idle() const;  // a select() timed out with nothing ready
    std::string reply(std::string_view message) const;
    bool plain() const noexcept { return plain_; }

private:
    Dialect dialect_;
    bool plain_;
};

// print() + flush, so that each line is out at once even when stdout is a pipe.
void say(std::string_view line);

}  // namespace echo
