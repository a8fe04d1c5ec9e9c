// s04 threaded: seed 000's multi-threaded server: the main thread accept()s
// and starts a thread running handle_message(conn, addr) for each client, so
// a quiet client blocks only its own thread. Replies "服务端收到, 你发的消息是: "
// + msg and prints "客户端(ip: ..., port: ...) 发来消息: ...".
//
// Not copied from the seed: its threads are never joined and it has no way to
// stop; here a stop shuts every connection down (waking its recv()), and the
// main thread joins them all before returning. send() becomes sendall().
#include "common/threads.hpp"
#include "echo/blocking_echo.hpp"
#include "echo/models.hpp"

namespace echo {
namespace {

void handle_message(Accepted client, examples::StopSignal& stop, const Voice& voice,
                    std::size_t bufsize) {
    const examples::StopSignal::Watch watch(stop, client.conn.fileno());
    echo_connection(client.conn, client.address, voice, bufsize);
}

}  // namespace

void serve_threaded(Server& server) {
    const Voice voice(Dialect::seed000_threaded, server.options.plain);
    const std::size_t bufsize = recv_size(server.options, 1024);
    examples::Threads threads;  // declared after voice: joined before voice is gone
    while (auto client = accept_until_stop(server)) {
        threads.start([client = std::move(*client), &server, &voice, bufsize]() mutable {
            handle_message(std::move(client), server.stop, voice, bufsize);
        });
    }
    threads.join();
}

}  // namespace echo
