// transports/datagram_transport: the datagram transport over a non-blocking UDP
// or Unix datagram socket (asyncio's _SelectorDatagramTransport). Reads go into
// the loop's scratch buffer, one datagram_received per datagram; sendto sends at
// once and queues (datagram, address) pairs only while the socket is full.
// Errors of a single send or receive (ICMP port unreachable on a connected
// socket: ConnectionRefusedError) go to error_received, not connection_lost.
// Same node design as SocketTransport: edge-triggered, reference-counted.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transports/socket_transport_base.hpp"
#include "tulip/coro/future.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

class DatagramSocketTransport final : public SocketTransportBase<DatagramSocketTransport, DatagramTransport> {
public:
    // Takes a bound and/or connected non-blocking socket (`remote`: the address it
    // is connected to). connection_made is called soon, from a loop callback, then
    // `waiter` (if given) gets its result, or the error connection_made raised.
    static DatagramSocketTransport* create(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                                           std::optional<Address> remote,
                                           std::optional<Future<void>> waiter = std::nullopt);

    std::unique_ptr<BaseProtocol> set_protocol(std::unique_ptr<BaseProtocol> protocol) override;

    void sendto(std::string_view data, const Address& addr = Address()) override;
    std::size_t get_write_buffer_size() const noexcept override { return buffer_size_; }

private:
    struct Pending {
        std::string data;
        Address addr;  // AF_UNSPEC: the connected peer
    };

    using Base = SocketTransportBase<DatagramSocketTransport, DatagramTransport>;
    friend Base;
    static constexpr const char* context = "<DatagramSocketTransport>";

    DatagramSocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                            std::optional<Address> remote);
    ~DatagramSocketTransport() override;

    // SocketTransportBase's hooks.
    void connection_made() { datagram_protocol_->connection_made(*this); }
    void start_reading() {
        if (!closing_) arm(EVENT_READ);
    }
    void stop_reading() noexcept { disarm(EVENT_READ); }
    void on_readable();
    void on_writable();
    bool write_buffer_empty() const noexcept { return head_ == buffer_.size(); }
    void drop_write_buffer() noexcept;  // gives the memory back: an idle endpoint holds none
    std::any peername() const;
    void on_connection_lost() noexcept {}

    ssize_t send_one(std::string_view data, const Address& addr) noexcept;
    void report_error(long r, const char* what);  // error_received(OSError)

    DatagramProtocol* datagram_protocol_ = nullptr;
    std::optional<Address> remote_;
    // A FIFO: a vector and a head index (libstdc++'s deque allocates even when empty).
    std::vector<Pending> buffer_;
    std::size_t head_ = 0;
    std::size_t buffer_size_ = 0;  // bytes queued
};

}  // namespace tulip
