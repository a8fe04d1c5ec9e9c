// transports/socket_transport: the stream transport over a connected non-blocking
// socket (asyncio's _SelectorSocketTransport), for TCP and Unix sockets.
// Reads go into the loop's scratch buffer (Protocol) or the protocol's own
// (BufferedProtocol); writes go out at once and only the rest is buffered.
// Edge-triggered underneath: reads run until EAGAIN, then wait on the loop.
#pragma once

#include <exception>
#include <memory>
#include <optional>

#include "transports/io_node.hpp"
#include "transports/write_buffer.hpp"
#include "tulip/coro/future.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

class ServerState;

class SocketTransport final : public Transport {
public:
    // Takes a connected, non-blocking socket. connection_made is called soon (from
    // a loop callback), then reading starts and `waiter` (if given) gets its result,
    // or the error connection_made raised. `tcp` turns TCP_NODELAY on (asyncio does).
    static SocketTransport* create(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol, bool tcp,
                                   ServerState* server = nullptr,
                                   std::optional<Future<void>> waiter = std::nullopt);

    std::any get_extra_info(std::string_view name) const override;
    bool is_closing() const noexcept override { return closing_; }
    void close() override;
    std::unique_ptr<BaseProtocol> set_protocol(std::unique_ptr<BaseProtocol> protocol) override;
    BaseProtocol& get_protocol() const noexcept override { return *protocol_; }

    bool is_reading() const noexcept override { return reading_ && !closing_; }
    void pause_reading() override;
    void resume_reading() override;

    void write(std::string_view data) override;
    void writelines(const std::vector<std::string_view>& lines) override;
    void write_eof() override;
    bool can_write_eof() const noexcept override { return true; }
    void abort() override { force_close(nullptr); }
    std::size_t get_write_buffer_size() const noexcept override { return buffer_.size(); }
    void set_write_buffer_limits(std::size_t high, std::size_t low) override;
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {low_, high_}; }

    // ---- For loop.sendfile (transports/sendfile.cpp), which writes to the socket
    // itself: as asyncio's _sendfile_native, reading pauses and write() raises
    // RuntimeError from sendfile_begin until sendfile_end. ----
    // RuntimeError if the transport is closing or a sendfile is in progress.
    void sendfile_begin();
    void sendfile_end();
    // Done once the write buffer is empty; ConnectionError if the connection is lost first.
    Future<void> wait_flushed();
    // The socket to send on; -1 once the connection is lost.
    int sendfile_fd() const noexcept { return lost_ ? -1 : fd(); }

private:
    SocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol, ServerState* server);
    ~SocketTransport() override;

    void start(std::optional<Future<void>> waiter);  // connection_made, then reading
    void on_readable();
    void on_writable();
    void on_eof();
    bool deliver(std::size_t n, std::span<char> buf);  // false if the protocol failed
    void flush();          // writes the buffer until it is empty or the socket is full
    void arm(Events direction);
    void disarm(Events direction) noexcept;
    void maybe_pause_protocol();
    void maybe_resume_protocol();
    void fatal_error(std::exception_ptr error, const char* message);
    void force_close(std::exception_ptr error);
    void schedule_connection_lost(std::exception_ptr error);
    void call_connection_lost(std::exception_ptr error);
    int fd() const noexcept { return sock_.fileno(); }

    Socket sock_;
    std::unique_ptr<BaseProtocol> protocol_;
    Protocol* stream_protocol_ = nullptr;      // exactly one of these two is set
    BufferedProtocol* buffered_protocol_ = nullptr;
    ServerState* server_;
    std::size_t server_index_ = 0;  // our place in the server's connection list
    friend class ServerState;
    WriteBuffer buffer_;
    std::size_t high_ = default_high_water;
    std::size_t low_ = default_low_water;
    IoNode<SocketTransport, &SocketTransport::on_readable> read_node_{this};
    IoNode<SocketTransport, &SocketTransport::on_writable> write_node_{this};
    std::optional<Future<void>> flushed_;  // wait_flushed()'s, while the buffer drains
    bool reading_ = true;       // not paused
    bool closing_ = false;      // close() or an error: no more reading
    bool lost_ = false;         // connection_lost is scheduled or done
    bool eof_pending_ = false;  // write_eof() called: shut down writing once flushed
    bool eof_written_ = false;
    bool protocol_paused_ = false;  // pause_writing() called, resume_writing() not yet
    bool write_armed_ = false;
    bool read_armed_ = false;   // read_node_ waits on the loop
    bool eof_ = false;          // the peer's EOF was seen
    bool in_sendfile_ = false;
    bool resume_after_sendfile_ = false;  // it was reading when sendfile began
};

}  // namespace tulip
