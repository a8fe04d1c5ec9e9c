#include "echo/voice.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "common/pyrepr.hpp"

namespace echo {
namespace {

using examples::address_repr;
using examples::bytes_repr;

std::string host_port(const tulip::Address& peer) {
    return fmt::format("{}:{}", peer.host(), peer.port());  // the seed's f"{addr[0]}:{addr[1]}"
}

}  // namespace

void say(std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void Voice::connected(const tulip::Address& peer) const {
    if (plain_) return;
    switch (dialect_) {
        case Dialect::seed000_blocking:
        case Dialect::seed000_threaded:
            return;  // those servers say nothing on accept
        case Dialect::seed000_multiplexed:
            return say(fmt::format("和客户端 {} 建立连接", host_port(peer)));
        case Dialect::seed001_lines:
            return say(fmt::format("I got a connection from {}!", address_repr(peer)));
        case Dialect::seed001_selectors:
            return say(fmt::format("I got a connection from {}", address_repr(peer)));
        case Dialect::seed004:
            return say(fmt::format("Connected by {}", address_repr(peer)));
    }
}

void Voice::received(const tulip::Address& peer, std::string_view data) const {
    if (plain_) return;
    switch (dialect_) {
        case Dialect::seed000_blocking:
            return say(fmt::format("客户端发来消息: {}", data));
        case Dialect::seed000_threaded:
            return say(fmt::format("客户端(ip: {}, port: {}) 发来消息: {}", peer.host(),
                                   peer.port(), data));
        case Dialect::seed000_multiplexed:
            return say(fmt::format("收到客户端 {} 发来的消息: `{}`", host_port(peer), data));
        case Dialect::seed001_lines:
            return say(fmt::format("I got data: {}!", bytes_repr(data)));
        case Dialect::seed001_selectors:
            return say(fmt::format("I got some data: {}", bytes_repr(data)));
        case Dialect::seed004:
            return say(
                fmt::format("received \"{}\" from {}", bytes_repr(data), address_repr(peer)));
    }
}

void Voice::line(std::string_view line) const {
    if (!plain_) say(fmt::format("All the data is: {}", bytes_repr(line)));
}

void Voice::disconnected(const tulip::Address& peer) const {
    if (plain_) return;
    switch (dialect_) {
        case Dialect::seed000_blocking:
            return say("客户端已经断开连接");
        case Dialect::seed000_threaded:
            return say(
                fmt::format("客户端(ip: {}, port: {}) 已经断开连接", peer.host(), peer.port()));
        case Dialect::seed000_multiplexed:
            return say(fmt::format("客户端 {} 已断开连接", host_port(peer)));
        case Dialect::seed001_lines:
        case Dialect::seed001_selectors:
        case Dialect::seed004:
            return;  // those seeds close silently
    }
}

void Voice::failed(const tulip::Address& peer, const std::exception& error) const {
    const std::string text =
        dialect_ == Dialect::seed000_multiplexed
            ? fmt::format("和客户端 {} 通信出现错误: {}", host_port(peer), error.what())
            : fmt::format("connection {} failed: {}", host_port(peer), error.what());
    std::fputs((text + "\n").c_str(), stderr);
}

void Voice::idle() const {
    if (!plain_ && dialect_ == Dialect::seed001_selectors) say("No events, waiting a bit more!");
}

std::string Voice::reply(std::string_view message) const {
    if (plain_) return std::string(message);
    switch (dialect_) {
        case Dialect::seed000_blocking:
        case Dialect::seed000_threaded:
        case Dialect::seed000_multiplexed:
            return std::string(seed000_prefix) + std::string(message);
        case Dialect::seed004:
            return "Server received " + bytes_repr(message);  // f'Server received {next_msg}'
        case Dialect::seed001_lines:
        case Dialect::seed001_selectors:
            break;
    }
    return std::string(message);  // seed 001 echoes the bytes as they came
}

}  // namespace echo
