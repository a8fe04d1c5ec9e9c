// s01 blocking: seed 000's first server ("使用阻塞套接字"): accept(), then
// recv(1024) and reply "服务端收到, 你发的消息是: " + msg until the client
// leaves; every call blocks, so this serves one client at a time, and the next
// one waits in the listen backlog until the current one is done.
//
// Not copied from the seed: it accepts a single client and exits; this goes
// back to accept() for the next one (one at a time is the point, exiting is
// not). Its send() could drop the tail of a reply; this uses sendall().
#include "echo/blocking_echo.hpp"
#include "echo/models.hpp"

namespace echo {

void serve_blocking(Server& server) {
    const Voice voice(Dialect::seed000_blocking, server.options.plain);
    while (auto client = accept_until_stop(server)) {
        // Watched, so that a stop wakes the recv() this client may leave us in.
        const examples::StopSignal::Watch watch(server.stop, client->conn.fileno());
        echo_connection(client->conn, client->address, voice, recv_size(server.options, 1024));
    }
}

}  // namespace echo
