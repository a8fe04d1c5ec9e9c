// SocketTransport's completion sends, on io_uring: write() copies into the write
// buffer and queues the transport with the loop; just before its next poll the
// loop has it start one send of everything written meanwhile, submitted with
// that poll. So the writes of a whole loop iteration (an echo to 100 clients, a
// chat line to 100 receivers, the pieces of one message) cost one io_uring_enter
// and one send per transport, not a send syscall per write. One send runs at a
// time; it holds a reference to the transport until it completes, and its bytes
// stay in the buffer's `sending` part, untouched by later writes. An abort
// cancels it; the bytes live until its completion says the kernel let go.
#include "transports/socket_transport.hpp"
#include "transports/transport_errors.hpp"

namespace tulip {

using detail::os_error;

void SocketTransport::queue_send() {
    if (send_running_ || send_queued_) return;
    retain();  // the queue's reference, handed to the send
    send_queued_ = true;
    loop_.queue_send(this);
}

void SocketTransport::send_ready() {
    send_queued_ = false;
    std::string_view next = lost_ ? std::string_view{} : buffer_.next_send();
    if (next.empty()) return release();  // aborted meanwhile
    send_running_ = true;
    loop_.start_send(fd(), next, this);  // keeps the queue's reference until on_sent
}

void SocketTransport::on_sent(int res) {
    Ref<BaseTransport> hold(this);
    release();  // the send's reference
    send_running_ = false;
    // Aborted meanwhile (the only time a send is cancelled): the bytes can go now.
    if (lost_ || res == -ECANCELED) return buffer_.clear();
    if (res < 0) return fatal_error(os_error(res, "send"), "Fatal write error on socket transport");
    buffer_.sent(static_cast<std::size_t>(res));
    if (buffer_.empty()) return on_flushed();
    queue_send();  // the rest of a short send, and what was written meanwhile
    maybe_resume_protocol();
}

}  // namespace tulip
