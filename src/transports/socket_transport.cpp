#include "transports/socket_transport.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <climits>

#include "sys/syscalls.hpp"
#include "transports/server_state.hpp"
#include "transports/transport_errors.hpp"
#include "tulip/errors.hpp"

namespace tulip {

using detail::connection_closed;
using detail::is_connection_error;
using detail::os_error;
using detail::would_block;

SocketTransport* SocketTransport::create(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                                         bool tcp, ServerState* server, std::optional<Future<void>> waiter) {
    if (tcp) sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    auto* t = new SocketTransport(loop, std::move(sock), std::move(protocol), server);
    t->retain();  // the connection's own reference, dropped after connection_lost
    Ref<BaseTransport> hold(t);
    loop.call_soon([hold, waiter = std::move(waiter)]() mutable {
        static_cast<SocketTransport*>(hold.get())->start(std::move(waiter));
    });
    return t;
}

SocketTransport::SocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                                 ServerState* server)
    : Transport(loop), sock_(std::move(sock)), server_(server) {
    set_protocol(std::move(protocol));
    if (server_) server_->attach(this);
}

SocketTransport::~SocketTransport() = default;

std::unique_ptr<BaseProtocol> SocketTransport::set_protocol(std::unique_ptr<BaseProtocol> protocol) {
    auto* stream = dynamic_cast<Protocol*>(protocol.get());
    auto* buffered = dynamic_cast<BufferedProtocol*>(protocol.get());
    if (!stream && !buffered) throw ValueError("a stream transport needs a Protocol or a BufferedProtocol");
    stream_protocol_ = stream;
    buffered_protocol_ = buffered;
    return std::exchange(protocol_, std::move(protocol));
}

std::any SocketTransport::get_extra_info(std::string_view name) const {
    try {
        if (name == "peername") return sock_.getpeername();
        if (name == "sockname") return sock_.getsockname();
    } catch (const OSError&) {
        return {};  // closed, or the peer is gone: Python gives None too
    }
    if (name == "socket") return static_cast<const Socket*>(&sock_);
    return {};
}

void SocketTransport::arm(Events direction) {
    if (direction == EVENT_READ) {
        // Queued already (resume_reading from inside data_received): that run reads.
        if (read_armed_ || read_node_.queued) return;
        retain();
        read_armed_ = true;
        loop_.wait_io(fd(), EVENT_READ, &read_node_);
    } else {
        retain();
        write_armed_ = true;
        loop_.wait_io(fd(), EVENT_WRITE, &write_node_);
    }
}

void SocketTransport::disarm(Events direction) noexcept {
    ReadyNode* node = direction == EVENT_READ ? static_cast<ReadyNode*>(&read_node_) : &write_node_;
    (direction == EVENT_READ ? read_armed_ : write_armed_) = false;
    if (loop_.cancel_io(fd(), direction, node)) release();
}

// connection_made, then the first read (which waits for data if none is there).
void SocketTransport::start(std::optional<Future<void>> waiter) {
    if (waiter && waiter->done()) waiter.reset();  // cancelled: nobody waits any more
    if (lost_) {
        if (waiter) waiter->set_exception(connection_closed());
        return;
    }
    try {
        if (stream_protocol_) {
            stream_protocol_->connection_made(*this);
        } else {
            buffered_protocol_->connection_made(*this);
        }
    } catch (...) {
        if (waiter) waiter->set_exception(std::current_exception());
        fatal_error(std::current_exception(), "Fatal error: protocol.connection_made() call failed.");
        return;
    }
    if (reading_ && !closing_ && !read_node_.queued) {
        // Read first, do not just wait: the descriptor may be registered
        // (edge-triggered) already, by the sock_connect that made it, and data
        // that arrived during that wait was its one edge: it will not come again.
        retain();
        loop_.schedule(&read_node_);
    }
    if (waiter) waiter->set_result();
}

void SocketTransport::on_readable() {
    read_armed_ = false;  // the loop woke us: the wait is over
    // A few reads per wake-up, then yield to the other ready callbacks (fairness);
    // the node is rescheduled, since an edge-triggered fd will not report again.
    for (int i = 0; i < 4; ++i) {
        if (!reading_ || closing_) return;
        std::span<char> buf = stream_protocol_ ? loop_.scratch_buffer() : std::span<char>{};
        if (buffered_protocol_) {
            try {
                buf = buffered_protocol_->get_buffer(65536);
                if (buf.empty()) throw RuntimeError("get_buffer() returned an empty buffer");
            } catch (...) {
                fatal_error(std::current_exception(), "Fatal error: protocol.get_buffer() call failed.");
                return;
            }
        }
        ssize_t n = sys::recv(fd(), buf.data(), buf.size(), 0);
        if (n > 0) {
            if (!deliver(static_cast<std::size_t>(n), buf)) return;
            continue;
        }
        if (n == 0) return on_eof();
        if (would_block(n)) return arm(EVENT_READ);
        return fatal_error(os_error(n, "recv"), "Fatal read error on socket transport");
    }
    if (read_node_.queued) return;  // resume_reading (from a protocol call) queued it already
    retain();
    loop_.schedule(&read_node_);
}

bool SocketTransport::deliver(std::size_t n, std::span<char> buf) {
    try {
        if (stream_protocol_) {
            stream_protocol_->data_received(std::string_view(buf.data(), n));
        } else {
            buffered_protocol_->buffer_updated(n);
        }
        return true;
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
        return false;
    }
}

void SocketTransport::on_eof() {
    reading_ = false;  // eof_received is called once; no data_received after it
    eof_ = true;       // and resume_reading cannot read (and report EOF) again
    bool keep_open;
    try {
        keep_open = stream_protocol_ ? stream_protocol_->eof_received() : buffered_protocol_->eof_received();
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
        return;
    }
    if (!keep_open) close();
}

void SocketTransport::pause_reading() {
    if (closing_ || !reading_) return;
    reading_ = false;
    disarm(EVENT_READ);
}

void SocketTransport::resume_reading() {
    if (closing_ || reading_ || lost_ || eof_) return;
    reading_ = true;
    if (!read_node_.queued && !read_armed_) {
        retain();
        loop_.schedule(&read_node_);  // data may be waiting already: try at once
    }
}

void SocketTransport::write(std::string_view data) {
    if (eof_pending_) throw RuntimeError("Cannot call write() after write_eof()");
    if (in_sendfile_) throw RuntimeError("unable to write; sendfile is in progress");
    if (data.empty() || lost_) return;
    if (buffer_.empty()) {
        ssize_t n = sys::send(fd(), data.data(), data.size(), 0);
        if (n >= 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            if (data.empty()) return;
        } else if (!would_block(n)) {
            return fatal_error(os_error(n, "send"), "Fatal write error on socket transport");
        }
    }
    buffer_.append(data);
    if (!write_armed_) arm(EVENT_WRITE);
    maybe_pause_protocol();
}

void SocketTransport::writelines(const std::vector<std::string_view>& lines) {
    if (eof_pending_) throw RuntimeError("Cannot call writelines() after write_eof()");
    if (in_sendfile_) throw RuntimeError("unable to write; sendfile is in progress");
    if (lost_) return;
    bool was_empty = buffer_.empty();
    for (std::string_view line : lines) {
        if (!line.empty()) buffer_.append(line);
    }
    if (buffer_.empty()) return;
    if (was_empty) flush();  // one writev for all the lines
    if (!lost_ && !buffer_.empty()) maybe_pause_protocol();
}

void SocketTransport::on_writable() {
    write_armed_ = false;
    if (lost_) return;
    flush();
}

void SocketTransport::flush() {
    while (!buffer_.empty()) {
        iovec iov[64];
        int count = buffer_.gather(iov, 64);
        ssize_t n = sys::sendmsg(fd(), iov, count, 0);
        if (n >= 0) {
            buffer_.consume(static_cast<std::size_t>(n));
            continue;
        }
        if (would_block(n)) {
            if (!write_armed_) arm(EVENT_WRITE);
            // The buffer only shrank here: resume at the low-water mark, as asyncio,
            // not only once it is empty. (writelines checks the high mark itself.)
            maybe_resume_protocol();
            return;
        }
        return fatal_error(os_error(n, "send"), "Fatal write error on socket transport");
    }
    if (write_armed_) disarm(EVENT_WRITE);
    if (flushed_) {
        Future<void> f = *std::exchange(flushed_, std::nullopt);
        if (!f.done()) f.set_result();  // not if its awaiter was cancelled
    }
    maybe_resume_protocol();
    if (!buffer_.empty() || lost_) return;  // resume_writing wrote again: not flushed after all
    if (closing_) {
        schedule_connection_lost(nullptr);
    } else if (eof_pending_ && !eof_written_) {
        eof_written_ = true;
        sys::shutdown(fd(), SHUT_WR);
    }
}

void SocketTransport::write_eof() {
    if (closing_ || eof_pending_) return;
    eof_pending_ = true;
    if (buffer_.empty()) {
        eof_written_ = true;
        sys::shutdown(fd(), SHUT_WR);
    }
}

void SocketTransport::set_write_buffer_limits(std::size_t high, std::size_t low) {
    if (high < low) throw ValueError("high must be >= low");
    high_ = high;
    low_ = low;
    maybe_pause_protocol();
}

void SocketTransport::maybe_pause_protocol() {
    if (protocol_paused_ || buffer_.size() <= high_) return;
    protocol_paused_ = true;
    try {
        protocol_->pause_writing();
    } catch (...) {
        loop_.call_exception_handler({"protocol.pause_writing() failed", std::current_exception(), {}});
    }
}

void SocketTransport::maybe_resume_protocol() {
    if (!protocol_paused_ || buffer_.size() > low_) return;
    protocol_paused_ = false;
    try {
        protocol_->resume_writing();
    } catch (...) {
        loop_.call_exception_handler({"protocol.resume_writing() failed", std::current_exception(), {}});
    }
}

void SocketTransport::close() {
    if (closing_) return;
    closing_ = true;
    if (reading_) disarm(EVENT_READ);
    if (buffer_.empty()) schedule_connection_lost(nullptr);
}

void SocketTransport::fatal_error(std::exception_ptr error, const char* message) {
    if (!is_connection_error(error)) {
        loop_.call_exception_handler({message, error, "<SocketTransport>"});
    }
    force_close(std::move(error));
}

void SocketTransport::force_close(std::exception_ptr error) {
    if (lost_) return;
    closing_ = true;
    buffer_.clear();
    if (flushed_) {
        Future<void> f = *std::exchange(flushed_, std::nullopt);
        if (!f.done()) f.set_exception(connection_closed());
    }
    disarm(EVENT_READ);
    disarm(EVENT_WRITE);
    schedule_connection_lost(std::move(error));
}

// Always from a fresh loop callback, never from inside a write() or a protocol
// call: the protocol sees connection_lost after the call it is in returns.
void SocketTransport::schedule_connection_lost(std::exception_ptr error) {
    if (lost_) return;
    lost_ = true;
    Ref<BaseTransport> hold(this);
    loop_.call_soon([hold, error] { static_cast<SocketTransport*>(hold.get())->call_connection_lost(error); });
}

void SocketTransport::call_connection_lost(std::exception_ptr error) {
    disarm(EVENT_READ);
    disarm(EVENT_WRITE);
    try {
        protocol_->connection_lost(error);
    } catch (...) {
        loop_.call_exception_handler({"protocol.connection_lost() failed", std::current_exception(), {}});
    }
    sock_.close();
    if (server_) std::exchange(server_, nullptr)->detach(this);
    release();  // the connection's own reference
}

}  // namespace tulip
