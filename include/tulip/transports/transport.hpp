// transports/transport: the I/O side of a connection (asyncio.transports). A
// transport owns its socket and its protocol; it reads when the socket is
// readable and hands the bytes to the protocol, and it writes what the protocol
// gives it: at once where the socket takes it, buffered (and flow-controlled by
// pause_writing / resume_writing) where it does not. Loop thread only.
//
// Lifetime: a transport lives at least until its protocol's connection_lost has
// returned; a TransportRef keeps it (not its connection) alive longer.
#pragma once

#include <any>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "tulip/coro/future_base.hpp"
#include "tulip/net/address.hpp"
#include "tulip/transports/protocols.hpp"

namespace tulip {

class EventLoop;

class BaseTransport {
public:
    BaseTransport(const BaseTransport&) = delete;
    BaseTransport& operator=(const BaseTransport&) = delete;

    // "peername" and "sockname" give an Address, "socket" a const Socket*; any other
    // name gives an empty std::any (Python's default None).
    virtual std::any get_extra_info(std::string_view name) const = 0;
    virtual bool is_closing() const noexcept = 0;
    // Stops reading, flushes what is buffered, then calls connection_lost(nullptr).
    virtual void close() = 0;
    // Replaces the protocol; returns the old one (the caller decides its fate:
    // it may be the object now running).
    virtual std::unique_ptr<BaseProtocol> set_protocol(std::unique_ptr<BaseProtocol> protocol) = 0;
    virtual BaseProtocol& get_protocol() const noexcept = 0;
    EventLoop& get_loop() const noexcept { return loop_; }

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }

protected:
    explicit BaseTransport(EventLoop& loop) noexcept : loop_(loop) {}
    virtual ~BaseTransport() = default;

    EventLoop& loop_;

private:
    std::uint32_t refs_ = 0;
};

class Transport : public BaseTransport {
public:
    // ReadTransport
    virtual bool is_reading() const noexcept = 0;
    virtual void pause_reading() = 0;   // no data_received until resume_reading
    virtual void resume_reading() = 0;

    // WriteTransport
    // Sends now what the socket takes, buffers the rest. RuntimeError after write_eof.
    virtual void write(std::string_view data) = 0;
    // Several buffers, sent together (one writev) where they cannot go at once.
    virtual void writelines(const std::vector<std::string_view>& lines) = 0;
    // Half-close: sends EOF once the buffer is flushed; reading goes on.
    virtual void write_eof() = 0;
    virtual bool can_write_eof() const noexcept = 0;
    // Closes now, dropping what is buffered; connection_lost(nullptr) follows.
    virtual void abort() = 0;
    virtual std::size_t get_write_buffer_size() const noexcept = 0;
    // pause_writing when the buffer rises above `high`, resume_writing when it falls
    // to `low` or below. Defaults 64 KiB / 16 KiB. ValueError unless high >= low.
    virtual void set_write_buffer_limits(std::size_t high, std::size_t low) = 0;
    virtual std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept = 0;

    static constexpr std::size_t default_high_water = 64 * 1024;
    static constexpr std::size_t default_low_water = 16 * 1024;

protected:
    using BaseTransport::BaseTransport;
};

// asyncio.DatagramTransport.
class DatagramTransport : public BaseTransport {
public:
    // Sends one datagram to `addr` (or to the connected peer when addr is empty).
    // A failed send goes to error_received; ValueError if the transport is
    // connected and `addr` is another address. Dropped once closing.
    virtual void sendto(std::string_view data, const Address& addr = Address()) = 0;
    // Closes now, dropping the queued datagrams; connection_lost(nullptr) follows.
    virtual void abort() = 0;
    // Bytes of the datagrams queued because the socket was full.
    virtual std::size_t get_write_buffer_size() const noexcept = 0;
    // As Transport's: pause_writing above `high`, resume_writing at `low` or below.
    virtual void set_write_buffer_limits(std::size_t high, std::size_t low) = 0;
    virtual std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept = 0;  // (low, high)

protected:
    using BaseTransport::BaseTransport;
};

using TransportRef = Ref<Transport>;
using DatagramTransportRef = Ref<DatagramTransport>;

}  // namespace tulip
