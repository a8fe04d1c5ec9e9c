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

#include "transports/io_node.hpp"
#include "tulip/coro/future.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

class DatagramSocketTransport final : public DatagramTransport {
public:
    // Takes a bound and/or connected non-blocking socket (`remote`: the address it
    // is connected to). connection_made is called soon, from a loop callback, then
    // `waiter` (if given) gets its result, or the error connection_made raised.
    static DatagramSocketTransport* create(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                                           std::optional<Address> remote,
                                           std::optional<Future<void>> waiter = std::nullopt);

    std::any get_extra_info(std::string_view name) const override;
    bool is_closing() const noexcept override { return closing_; }
    void close() override;
    std::unique_ptr<BaseProtocol> set_protocol(std::unique_ptr<BaseProtocol> protocol) override;
    BaseProtocol& get_protocol() const noexcept override { return *protocol_; }

    void sendto(std::string_view data, const Address& addr = Address()) override;
    void abort() override { force_close(nullptr); }
    std::size_t get_write_buffer_size() const noexcept override { return buffer_size_; }
    void set_write_buffer_limits(std::size_t high, std::size_t low) override;
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {low_, high_}; }

private:
    struct Pending {
        std::string data;
        Address addr;  // AF_UNSPEC: the connected peer
    };

    DatagramSocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                            std::optional<Address> remote);
    ~DatagramSocketTransport() override;

    void start(std::optional<Future<void>> waiter);
    void on_readable();
    void on_writable();
    ssize_t send_one(std::string_view data, const Address& addr) noexcept;
    void report_error(long r, const char* what);  // error_received(OSError)
    void arm(Events direction);
    void disarm(Events direction) noexcept;
    void maybe_pause_protocol();
    void maybe_resume_protocol();
    void fatal_error(std::exception_ptr error, const char* message);
    void force_close(std::exception_ptr error);
    void schedule_connection_lost(std::exception_ptr error);
    void call_connection_lost(std::exception_ptr error);
    void clear_buffer() noexcept;
    int fd() const noexcept { return sock_.fileno(); }

    Socket sock_;
    std::unique_ptr<BaseProtocol> protocol_;
    DatagramProtocol* datagram_protocol_ = nullptr;
    std::optional<Address> remote_;
    // A FIFO: a vector and a head index (libstdc++'s deque allocates even when empty).
    std::vector<Pending> buffer_;
    std::size_t head_ = 0;
    std::size_t buffer_size_ = 0;  // bytes queued
    std::size_t high_ = Transport::default_high_water;
    std::size_t low_ = Transport::default_low_water;
    IoNode<DatagramSocketTransport, &DatagramSocketTransport::on_readable> read_node_{this};
    IoNode<DatagramSocketTransport, &DatagramSocketTransport::on_writable> write_node_{this};
    bool read_armed_ = false;
    bool write_armed_ = false;
    bool closing_ = false;          // close() or an error: no more reading or sending
    bool lost_ = false;             // connection_lost is scheduled or done
    bool protocol_paused_ = false;  // pause_writing() called, resume_writing() not yet
};

}  // namespace tulip
