// s02 lines: seed 001 listing 3.2 ("使用 Telnet 连接到服务器"): read the
// client's bytes two at a time ("I got data: b'te'!") until the buffer holds a
// "\r\n", what telnet sends on [Enter], then print "All the data is: ..." and
// sendall() the line back. Try it with `telnet 127.0.0.1 8000`.
//
// Not copied from the seed: it serves one line of one client and exits; this
// serves every line of a client, then the next client. It only looks for
// "\r\n" at the very end of the buffer; this finds it anywhere (LineBuffer).
// With --plain, chunks are echoed as they come (no framing, 64 KiB reads).
#include "echo/blocking_echo.hpp"
#include "echo/models.hpp"

namespace echo {

void serve_lines(Server& server) {
    const Voice voice(Dialect::seed001_lines, server.options.plain);
    while (auto client = accept_until_stop(server)) {
        const examples::StopSignal::Watch watch(server.stop, client->conn.fileno());
        voice.connected(client->address);
        LineBuffer lines(server.options.plain);
        while (
            echo_line(client->conn, client->address, lines, voice, recv_size(server.options, 2))) {
        }
    }
}

}  // namespace echo
