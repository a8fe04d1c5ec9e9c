// SocketTransport's completion reads, on io_uring: one multishot recv per
// connection, the data in the loop's shared buffer ring, handed to data_received
// without a copy and without a recv syscall per message. pause_reading stops the
// recv; what the kernel read before the stop took effect is held and delivered by
// resume_reading, first, so no byte is lost or reordered.
#include <algorithm>
#include <memory>
#include <string>

#include "transports/socket_transport.hpp"
#include "transports/transport_errors.hpp"
#include "tulip/errors.hpp"

namespace tulip {

using detail::os_error;

namespace {
constexpr std::size_t read_slice = 64 * 1024;  // as the loop's scratch buffer
}  // namespace

bool SocketTransport::start_completion_reads() {
    if (!loop_.start_recv(fd(), this)) return false;
    completion_reads_ = true;
    recv_running_ = true;
    return true;
}

// For good (closing): nothing more reaches this transport.
void SocketTransport::stop_reading() noexcept {
    disarm(EVENT_READ);
    if (recv_running_) loop_.stop_recv(fd(), true);
    recv_running_ = false;
    held_.reset();
}

void SocketTransport::on_recv(int res, std::string_view data, bool last) {
    if (last) recv_running_ = false;
    if (closing_) return;
    const bool direct = reading_ && !held_;  // nothing held waits ahead of it
    if (res > 0) {
        if (direct) {
            deliver_view(data);
        } else {
            if (!held_) held_ = std::make_unique<Held>();
            held_->data.append(data);
        }
    } else if (res == 0) {
        if (direct) return on_eof();
        held_eof_ = true;
    } else if (res != -ECANCELED) {
        return fatal_error(os_error(res, "recv"), "Fatal read error on socket transport");
    }
    // Stopped by a pause that resume_reading undid meanwhile: read again.
    if (last && res == -ECANCELED && reading_ && !closing_ && !held_) start_completion_reads();
}

// resume_reading (through the read node): the held data first, then reads again.
// In slices no larger than a readiness read gives, so that a protocol that pauses
// again (a full StreamReader) does so after a slice, not after all of it.
void SocketTransport::deliver_held() {
    while (held_) {
        if (!reading_ || closing_) return;
        std::string_view rest = std::string_view(held_->data).substr(held_->pos);
        std::string_view slice = rest.substr(0, read_slice);
        held_->pos += slice.size();
        if (held_->pos == held_->data.size()) {
            std::unique_ptr<Held> done = std::move(held_);  // empty now; alive for the call
            if (!deliver_view(slice)) return;
        } else if (!deliver_view(slice)) {
            return;
        }
    }
    if (!reading_ || closing_) return;
    if (held_eof_) {
        held_eof_ = false;
        return on_eof();
    }
    if (!recv_running_ && !eof_) start_completion_reads();
}

bool SocketTransport::deliver_view(std::string_view data) {
    try {
        if (stream_protocol_) {
            stream_protocol_->data_received(data);
            return true;
        }
        // A BufferedProtocol set by set_protocol after reading began: copy in.
        while (!data.empty()) {
            std::span<char> buf = buffered_protocol_->get_buffer(data.size());
            if (buf.empty()) throw RuntimeError("get_buffer() returned an empty buffer");
            std::size_t n = std::min(buf.size(), data.size());
            data.copy(buf.data(), n);
            data.remove_prefix(n);
            buffered_protocol_->buffer_updated(n);
        }
        return true;
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
        return false;
    }
}

}  // namespace tulip
