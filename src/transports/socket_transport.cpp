#include "transports/socket_transport.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "sys/syscalls.hpp"
#include "transports/server_state.hpp"
#include "transports/transport_errors.hpp"
#include "tulip/errors.hpp"

namespace tulip {

using detail::connection_closed;
using detail::os_error;
using detail::would_block;

SocketTransport* SocketTransport::create(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                                         bool tcp, ServerState* server, std::optional<Future<void>> waiter) {
    if (tcp) sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    auto* t = new SocketTransport(loop, std::move(sock), std::move(protocol), server);
    t->start_soon(std::move(waiter));
    return t;
}

SocketTransport::SocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                                 ServerState* server)
    : Base(loop, std::move(sock)), server_(server) {
    completion_sends_ = loop.can_send();
    peer_.remember(sock_);
    set_protocol(std::move(protocol));
    if (server_) server_->attach(this);
}

SocketTransport::~SocketTransport() = default;

// One per connection: a field more should be a choice (malloc's block is 160 B).
static_assert(sizeof(SocketTransport) <= 152 || sizeof(void*) != 8, "SocketTransport outgrew its heap block");

std::unique_ptr<BaseProtocol> SocketTransport::set_protocol(std::unique_ptr<BaseProtocol> protocol) {
    bool stream = dynamic_cast<Protocol*>(protocol.get()) != nullptr;
    bool buffered = !stream && dynamic_cast<BufferedProtocol*>(protocol.get()) != nullptr;
    if (!stream && !buffered) throw ValueError("a stream transport needs a Protocol or a BufferedProtocol");
    buffered_ = buffered;
    return std::exchange(protocol_, std::move(protocol));
}

std::any SocketTransport::peername() const { return peer_.get(sock_); }

void SocketTransport::connection_made() {
    if (buffered_) {
        buffered_protocol().connection_made(*this);
    } else {
        stream_protocol().connection_made(*this);
    }
}

// The first read (which waits for data if none is there).
void SocketTransport::start_reading() {
    // Read first, do not just wait: the descriptor may be registered
    // (edge-triggered) already, by the sock_connect that made it, and data
    // that arrived during that wait was its one edge: it will not come again.
    if (!reading_ || closing_) return;
    if (!buffered_ && start_completion_reads()) return;
    schedule_read();
}

void SocketTransport::on_readable() {
    read_armed_ = false;  // the loop woke us: the wait is over
    if (completion_reads_) return deliver_held();
    // A few reads per wake-up, then yield to the other ready callbacks (fairness);
    // the node is rescheduled, since an edge-triggered fd will not report again.
    for (int i = 0; i < 4; ++i) {
        if (!reading_ || closing_) return;
        std::span<char> buf;
        if (!buffered_) {
            buf = loop_.scratch_buffer();
        } else {
            try {
                buf = buffered_protocol().get_buffer(65536);
                if (buf.empty()) throw RuntimeError("get_buffer() returned an empty buffer");
            } catch (...) {
                fatal_error(std::current_exception(), "Fatal error: protocol.get_buffer() call failed.");
                return;
            }
        }
        ssize_t n = sys::recv(fd(), buf.data(), buf.size(), 0);
        if (n > 0) {
            // A short read emptied the socket: wait for the next edge rather than
            // spend a recv on EAGAIN, unless a hang-up was reported (its edge is
            // gone, so read on to the EOF).
            bool drained = static_cast<std::size_t>(n) < buf.size() && !loop_.must_drain(fd());
            if (!deliver(std::string_view(buf.data(), static_cast<std::size_t>(n)), buffered_))
                return;
            if (!drained) continue;
            if (reading_ && !closing_) arm(EVENT_READ);
            return;
        }
        if (n == 0) return on_eof();
        if (would_block(n)) return arm(EVENT_READ);
        return fatal_error(os_error(n, "recv"), "Fatal read error on socket transport");
    }
    schedule_read();  // unless resume_reading (from a protocol call) queued it already
}

bool SocketTransport::deliver(std::string_view data, bool in_protocol_buffer) {
    try {
        if (!buffered_) {
            stream_protocol().data_received(data);
        } else if (in_protocol_buffer) {
            buffered_protocol().buffer_updated(data.size());
        } else {
            // Read elsewhere (by completion, into the loop's buffers): copy in.
            while (!data.empty()) {
                std::span<char> buf = buffered_protocol().get_buffer(data.size());
                if (buf.empty()) throw RuntimeError("get_buffer() returned an empty buffer");
                std::size_t n = std::min(buf.size(), data.size());
                data.copy(buf.data(), n);
                data.remove_prefix(n);
                buffered_protocol().buffer_updated(n);
            }
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
        keep_open = buffered_ ? buffered_protocol().eof_received() : stream_protocol().eof_received();
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
    if (recv_running_) loop_.stop_recv(fd(), false);  // what it read meanwhile is held
}

void SocketTransport::resume_reading() {
    if (closing_ || reading_ || lost_ || eof_) return;
    reading_ = true;
    if (!read_armed_) schedule_read();  // data may be waiting already: try at once
}

void SocketTransport::write(std::string_view data) {
    if (eof_pending_) throw RuntimeError("Cannot call write() after write_eof()");
    if (in_sendfile_) throw RuntimeError("unable to write; sendfile is in progress");
    if (data.empty() || lost_) return;
    if (completion_sends_) {
        buffer_.append(data);
        queue_send();
        return maybe_pause_protocol();
    }
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
    if (completion_sends_) {
        queue_send();
    } else if (was_empty) {
        flush();  // one writev for all the lines
    }
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
    on_flushed();
}

void SocketTransport::on_flushed() {
    if (Rare* r = rare_if_made(); r && r->flushed) {
        Future<void> f(std::exchange(r->flushed, {}));
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

void SocketTransport::drop_write_buffer() {
    if (send_queued_ && !send_running_) {
        // asyncio's write() sends at once what the socket takes, and an abort drops
        // only the rest; a completion send waits for the poll, so send it now.
        std::string_view queued = buffer_.next_send();
        sys::send(fd(), queued.data(), queued.size(), 0);  // best effort: the connection is going
        buffer_.clear();
    } else {
        buffer_.drop_unsent();  // a running send's bytes stay until its on_sent
        if (send_running_) loop_.cancel_send(this);
    }
    if (Rare* r = rare_if_made(); r && r->flushed) {
        Future<void> f(std::exchange(r->flushed, {}));
        if (!f.done()) f.set_exception(connection_closed());
    }
}

void SocketTransport::on_connection_lost() noexcept {
    if (server_) std::exchange(server_, nullptr)->detach(this);
}

}  // namespace tulip
