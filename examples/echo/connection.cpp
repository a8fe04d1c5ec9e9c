#include "echo/connection.hpp"

#include "tulip/errors.hpp"

namespace echo {

Connection::Connection(Accepted accepted, const Voice& voice, bool framed)
    : sock(std::move(accepted.conn)),
      peer(accepted.address),
      voice_(&voice),
      framed_(framed),
      lines_(/*plain=*/!framed) {
    sock.setblocking(false);  // multiplexing only works with sockets that never block
    voice.connected(peer);
}

bool Connection::on_readable(std::size_t bufsize, bool drain) {
    try {
        do {
            const std::string_view data = recv_reusing(sock, bufsize);
            if (data.empty()) return at_eof();
            voice_->received(peer, data);
            for (std::string& message : lines_.feed(data)) {
                if (framed_) voice_->line(message);
                queue.put(voice_->reply(message));
            }
        } while (drain);
    } catch (const tulip::BlockingIOError&) {
        // Nothing (more) to read: readiness was spurious, or the socket is drained.
    } catch (const tulip::OSError& e) {
        voice_->failed(peer, e);
        return false;
    }
    return true;
}

bool Connection::on_writable() {
    try {
        queue.send_some(sock);
        return true;
    } catch (const tulip::OSError& e) {
        voice_->failed(peer, e);
        return false;
    }
}

bool Connection::at_eof() {
    // The seeds echo what came after the last line; and whatever is still
    // queued gets one last chance, since a client may have only shut down its
    // sending side. What the socket does not take now is dropped.
    std::string rest = lines_.take_rest();
    if (!rest.empty()) {
        voice_->line(rest);
        queue.put(voice_->reply(rest));
    }
    try {
        queue.send_some(sock);
    } catch (const tulip::OSError&) {
        // The client is gone altogether; nothing to tell it.
    }
    voice_->disconnected(peer);
    return false;
}

}  // namespace echo
