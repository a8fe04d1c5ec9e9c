// SocketTransport's completion reads, on io_uring: one multishot recv per
// connection, the data in the loop's shared buffer ring, handed to data_received
// without a copy and without a recv syscall per message. pause_reading stops the
// recv; what the kernel read before the stop took effect is held and delivered by
// resume_reading, first, so no byte is lost or reordered.
#include <memory>
#include <string>

#include "transports/socket_transport.hpp"
#include "transports/transport_errors.hpp"
#include "tulip/errors.hpp"

namespace tulip {

using detail::os_error;

namespace {
constexpr std::size_t read_slice = 64 * 1024;  // at most what one readiness read gives (256 KiB)
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
}

void SocketTransport::on_recv(int res, std::string_view data, bool last) {
    if (last) recv_running_ = false;
    if (closing_) return;
    const bool direct = reading_ && !holding();  // nothing held waits ahead of it
    if (direct) {
        if (res > 0) {
            deliver(data);
        } else if (res != -ECANCELED) {
            return end_reads(res);
        }
    } else if (res != -ECANCELED) {
        Rare& r = rare();
        if (res > 0) {
            r.held.append(data);
        } else {
            r.held_end = res;  // the end, after the data before it
        }
    }
    maybe_restart_recv();  // stopped by a pause that resume_reading undid meanwhile
}

// resume_reading (through the read node): the held data first, then reads again.
// In slices no larger than a readiness read gives, so that a protocol that pauses
// again (a full StreamReader) does so after a slice, not after all of it.
void SocketTransport::deliver_held() {
    Rare* r = rare_if_made();
    while (r != nullptr && r->held_pos < r->held.size()) {
        if (!reading_ || closing_) return;
        std::string_view slice = std::string_view(r->held).substr(r->held_pos, read_slice);
        r->held_pos += slice.size();
        // Once the last slice is out nothing is held, but its bytes must live
        // through the call (only on_recv adds to them, never during it).
        const bool ok = deliver(slice);
        if (!r->holds_any()) release_held();
        if (!ok) return;
    }
    if (!reading_ || closing_) return;
    if (holding()) {
        int end = r->held_end;
        release_held();
        return end_reads(end);
    }
    maybe_restart_recv();
}

void SocketTransport::release_held() noexcept {
    Rare& r = *rare_if_made();
    r.held = std::string();
    r.held_pos = 0;
    r.held_end = Rare::no_end;
}

void SocketTransport::end_reads(int res) {
    if (res == 0) return on_eof();
    fatal_error(os_error(res, "recv"), "Fatal read error on socket transport");
}

void SocketTransport::maybe_restart_recv() {
    if (reading_ && !closing_ && !holding() && !recv_running_) start_completion_reads();
}

}  // namespace tulip
