#include "transports/datagram_transport.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "sys/syscalls.hpp"
#include "transports/transport_errors.hpp"
#include "tulip/errors.hpp"

namespace tulip {

using detail::os_error;
using detail::would_block;

namespace {
// Datagrams read per wake-up before the node yields to other callbacks.
constexpr int reads_per_wakeup = 16;
}  // namespace

DatagramSocketTransport* DatagramSocketTransport::create(EventLoop& loop, Socket sock,
                                                         std::unique_ptr<BaseProtocol> protocol,
                                                         std::optional<Address> remote,
                                                         std::optional<Future<void>> waiter) {
    auto* t = new DatagramSocketTransport(loop, std::move(sock), std::move(protocol), std::move(remote));
    t->start_soon(std::move(waiter));
    return t;
}

DatagramSocketTransport::DatagramSocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<BaseProtocol> protocol,
                                                 std::optional<Address> remote)
    : Base(loop, std::move(sock)), remote_(std::move(remote)) {
    set_protocol(std::move(protocol));
}

DatagramSocketTransport::~DatagramSocketTransport() = default;

std::unique_ptr<BaseProtocol> DatagramSocketTransport::set_protocol(std::unique_ptr<BaseProtocol> protocol) {
    auto* datagram = dynamic_cast<DatagramProtocol*>(protocol.get());
    if (!datagram) throw ValueError("a datagram transport needs a DatagramProtocol");
    datagram_protocol_ = datagram;
    return std::exchange(protocol_, std::move(protocol));
}

std::any DatagramSocketTransport::peername() const {
    if (remote_) return *remote_;
    return {};
}

// Each failed receive is one error_received (ICMP errors are queued one per
// datagram that caused them); the socket stays open and reading goes on.
void DatagramSocketTransport::on_readable() {
    read_armed_ = false;
    for (int i = 0; i < reads_per_wakeup; ++i) {
        if (closing_) return;
        std::span<char> buf = loop_.scratch_buffer();
        sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = sys::recvfrom(fd(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (would_block(n)) return arm(EVENT_READ);
        if (n < 0) {
            report_error(n, "recvfrom");
            continue;
        }
        try {  // an empty datagram is a datagram, not an EOF
            Address addr = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&from), len);
            datagram_protocol_->datagram_received(std::string_view(buf.data(), static_cast<std::size_t>(n)), addr);
        } catch (...) {
            return fatal_error(std::current_exception(), "Fatal error: protocol.datagram_received() call failed.");
        }
    }
    schedule_read();
}

ssize_t DatagramSocketTransport::send_one(std::string_view data, const Address& addr) noexcept {
    if (addr.family() == AF_UNSPEC) return sys::send(fd(), data.data(), data.size(), 0);
    return sys::sendto(fd(), data.data(), data.size(), 0, addr.sockaddr_ptr(), addr.size());
}

void DatagramSocketTransport::report_error(long r, const char* what) {
    try {
        datagram_protocol_->error_received(os_error(r, what));
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.error_received() call failed.");
    }
}

void DatagramSocketTransport::sendto(std::string_view data, const Address& addr) {
    if (remote_ && addr.family() != AF_UNSPEC && !(addr == *remote_)) {
        throw ValueError("Invalid address: must be None or " + remote_->to_string());
    }
    if (closing_) return;  // asyncio drops them too (and warns after a few)
    const Address& to = remote_ ? Address() : addr;  // connected: send(), as asyncio
    if (head_ == buffer_.size()) {
        ssize_t n = send_one(data, to);
        if (n >= 0) return;
        if (!would_block(n)) return report_error(n, "sendto");
    }
    if (head_ >= 64 && head_ * 2 >= buffer_.size()) {  // drop the sent prefix now and then
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    buffer_.push_back(Pending{std::string(data), to});
    buffer_size_ += data.size();
    arm(EVENT_WRITE);
    maybe_pause_protocol();
}

void DatagramSocketTransport::on_writable() {
    write_armed_ = false;
    if (lost_) return;
    while (head_ < buffer_.size()) {
        Pending& p = buffer_[head_];
        ssize_t n = send_one(p.data, p.addr);
        if (would_block(n)) {
            maybe_resume_protocol();
            return arm(EVENT_WRITE);
        }
        // Sent or failed, the datagram leaves the queue: a failure is reported and
        // the rest still go (asyncio stops at a failure until the next wake-up).
        buffer_size_ -= p.data.size();
        ++head_;
        if (n < 0) {
            report_error(n, "sendto");
            if (lost_) return;
        }
    }
    drop_write_buffer();
    maybe_resume_protocol();  // may queue more
    if (head_ == buffer_.size() && closing_) schedule_connection_lost(nullptr);
}

void DatagramSocketTransport::drop_write_buffer() noexcept {
    buffer_ = {};
    head_ = 0;
    buffer_size_ = 0;
}

}  // namespace tulip
