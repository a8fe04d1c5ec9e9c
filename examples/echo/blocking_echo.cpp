#include "echo/blocking_echo.hpp"

#include "echo/server.hpp"
#include "tulip/errors.hpp"

namespace echo {

void echo_connection(tulip::Socket& conn, const tulip::Address& peer, const Voice& voice,
                     std::size_t bufsize) {
    try {
        for (;;) {
            const std::string_view msg = recv_reusing(conn, bufsize);
            if (msg.empty()) return voice.disconnected(peer);  // b"": the client closed
            voice.received(peer, msg);
            conn.sendall(voice.reply(msg));  // the seed's send() could drop a tail
        }
    } catch (const tulip::OSError& e) {
        voice.failed(peer, e);
    }
}

bool echo_line(tulip::Socket& conn, const tulip::Address& peer, LineBuffer& lines,
               const Voice& voice, std::size_t bufsize) {
    try {
        for (;;) {
            const std::string_view data = recv_reusing(conn, bufsize);
            if (data.empty()) {
                // As the seed: the loop ends at EOF too, and what was read is echoed.
                if (std::string rest = lines.take_rest(); !rest.empty()) {
                    voice.line(rest);
                    conn.sendall(voice.reply(rest));
                }
                voice.disconnected(peer);
                return false;
            }
            voice.received(peer, data);
            const auto messages = lines.feed(data);
            for (const std::string& message : messages) {
                voice.line(message);
                conn.sendall(voice.reply(message));
            }
            if (!messages.empty()) return true;
        }
    } catch (const tulip::OSError& e) {
        voice.failed(peer, e);
        return false;
    }
}

}  // namespace echo
