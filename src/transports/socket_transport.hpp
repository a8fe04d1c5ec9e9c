// transports/socket_transport: the stream transport over a connected non-blocking
// socket (asyncio's _SelectorSocketTransport), for TCP and Unix sockets.
// Reads go into the loop's scratch buffer (Protocol) or the protocol's own
// (BufferedProtocol); writes go out at once and only the rest is buffered.
// Edge-triggered underneath: reads run until a short read or EAGAIN, then wait
// on the loop. On io_uring a Protocol's reads come by completion instead, from
// the loop's buffer ring (socket_transport_recv.cpp), and writes go out as sends
// submitted with the loop's next poll (socket_transport_send.cpp).
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>

#include "transports/peer_name.hpp"
#include "transports/socket_transport_base.hpp"
#include "transports/write_buffer.hpp"
#include "tulip/coro/future.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

class ServerState;

// SocketTransport's part of the rare state (SocketTransportBase::Rare).
struct SocketTransportRare {
    Ref<FutureState<void>> flushed;  // wait_flushed()'s, while the buffer drains
    // What completion reads brought while paused: data, then maybe the end.
    std::string held;
    std::size_t held_pos = 0;  // delivered up to here
    static constexpr int no_end = 1;
    int held_end = no_end;  // the EOF (0) or read error (-errno) after the data
    bool holds_any() const noexcept { return held_pos < held.size() || held_end != no_end; }
};

class SocketTransport final : public SocketTransportBase<SocketTransport, Transport, SocketTransportRare>,
                              EventLoop::StreamHandler {
public:
    // Takes a connected, non-blocking socket. connection_made is called soon (from
    // a loop callback), then reading starts and `waiter` (if given) gets its result,
    // or the error connection_made raised. `tcp` turns TCP_NODELAY on (asyncio does).
    static SocketTransport* create(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol, bool tcp,
                                   ServerState* server = nullptr,
                                   std::optional<Future<void>> waiter = std::nullopt);

    std::unique_ptr<BaseProtocol> set_protocol(std::unique_ptr<BaseProtocol> protocol) override;

    bool is_reading() const noexcept override { return reading_ && !closing_; }
    void pause_reading() override;
    void resume_reading() override;

    void write(std::string_view data) override;
    void writelines(const std::vector<std::string_view>& lines) override;
    void write_eof() override;
    bool can_write_eof() const noexcept override { return true; }
    std::size_t get_write_buffer_size() const noexcept override { return buffer_.size(); }

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
    using Base = SocketTransportBase<SocketTransport, Transport, SocketTransportRare>;
    friend Base;
    static constexpr const char* context = "<SocketTransport>";

    SocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol, ServerState* server);
    ~SocketTransport() override;

    // SocketTransportBase's hooks.
    void connection_made();
    void start_reading();
    void stop_reading() noexcept;
    void on_readable();
    void on_writable();
    bool write_buffer_empty() const noexcept { return buffer_.empty(); }
    void drop_write_buffer();  // and fails wait_flushed()
    std::any peername() const;
    void on_connection_lost() noexcept;

    void on_eof();
    Protocol& stream_protocol() const noexcept { return static_cast<Protocol&>(*protocol_); }
    BufferedProtocol& buffered_protocol() const noexcept { return static_cast<BufferedProtocol&>(*protocol_); }
    // To the protocol; `in_protocol_buffer`: a BufferedProtocol's own get_buffer()
    // holds it already. False if the protocol failed (the transport is closing).
    bool deliver(std::string_view data, bool in_protocol_buffer = false);

    // Completion reads (io_uring; socket_transport_recv.cpp): the kernel reads, the
    // loop calls on_recv. What it read after a pause_reading is held (rare().held).
    bool start_completion_reads();
    void on_recv(int res, std::string_view data, bool last) override;
    void deliver_held();        // on_readable's work in this mode
    void end_reads(int res);    // EOF (0) or a read error (-errno)
    void maybe_restart_recv();  // reading again, nothing held, no read running: start one
    void release_held() noexcept;  // empties rare().held, its memory too
    // Completion reads' data or end wait in rare() for resume_reading.
    bool holding() const noexcept { return rare_if_made() != nullptr && rare_if_made()->holds_any(); }
    void flush();          // writes the buffer until it is empty or the socket is full
    void on_flushed();     // the buffer emptied: wait_flushed, resume_writing, close or write_eof

    // Completion sends (io_uring; socket_transport_send.cpp): write() queues the
    // transport; before its next poll the loop has it start one send of all it has.
    void queue_send();  // unless a send runs or the transport is queued already
    void send_ready() override;
    void on_sent(int res) override;

    ServerState* server_;
    friend class ServerState;
    WriteBuffer buffer_;
    PeerName peer_;                    // 9 bytes: the next 4 fill its padding
    std::uint32_t server_index_ = 0;  // our place in the server's connection list
    // Flags as bits: the transport fits a 160-byte heap block (one per connection).
    bool buffered_ : 1 = false;     // protocol_ is a BufferedProtocol, else a Protocol
    bool reading_ : 1 = true;       // not paused
    bool eof_pending_ : 1 = false;  // write_eof() called: shut down writing once flushed
    bool eof_written_ : 1 = false;
    bool eof_ : 1 = false;          // the peer's EOF was seen
    bool in_sendfile_ : 1 = false;
    bool resume_after_sendfile_ : 1 = false;  // it was reading when sendfile began
    bool completion_reads_ : 1 = false;  // reads by completion (io_uring) for the transport's life
    bool recv_running_ : 1 = false;      // a completion read is started and has not ended
    bool completion_sends_ : 1 = false;  // writes by completion (io_uring) for the transport's life
    bool send_running_ : 1 = false;      // a completion send is in the kernel's hands
    bool send_queued_ : 1 = false;       // in the loop's send queue (holding a reference)
};

}  // namespace tulip
