// SocketTransport's completion sends, on io_uring: write() copies into the write
// buffer and queues one send, which the loop submits with its next poll, so the
// writes of a whole loop iteration (an echo to 100 clients, a chat line to 100
// receivers) cost one io_uring_enter instead of a send syscall each. One send
// runs at a time; it holds a reference to the transport until it completes, and
// its bytes stay in the buffer's `sending` part, untouched by later writes. An
// abort cancels it; the bytes live until its completion says the kernel let go.
#include "transports/socket_transport.hpp"
#include "transports/transport_errors.hpp"

namespace tulip {

using detail::os_error;

void SocketTransport::start_send() {
    if (send_running_) return;
    std::string_view next = buffer_.next_send();
    if (next.empty()) return;
    retain();  // the send's reference: its bytes and this handler live until on_sent
    send_running_ = true;
    loop_.start_send(fd(), next, this);
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
    start_send();  // the rest of a short send, or what was written meanwhile
    maybe_resume_protocol();
}

}  // namespace tulip
