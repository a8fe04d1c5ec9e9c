// s12 coroutine: seed 001 listing 3.8 ("构建一个异步回显服务器") and seed 000's
// asyncio server: listen_for_connection() awaits loop.sock_accept() forever and
// starts one echo() task per client; echo() awaits loop.sock_recv() and
// loop.sock_sendall() on the non-blocking connection. Everything runs on one
// thread, in one event loop: a client that says nothing holds only its task.
// Seed 001's words by default ("Got a connection from ('127.0.0.1', 5000)",
// the bytes echoed as they came); --seed 000 prints "收到客户端 ... 的连接" and
// replies data + "~", as seed 000 does to tell the reply from the request.
// --plain: a pure echo, reading up to 64 KiB at a time, silent.
//
// As in the seeds, echo() handles no errors: a client that resets its
// connection ends its task with ConnectionResetError, which nobody retrieves,
// so the loop logs "Task exception was never retrieved" (s13 is about that).
// The connection closes when the task ends, however it ends: the Socket lives
// in the coroutine's frame (seed 000's try/finally conn.close()). Ctrl-C or
// SIGTERM cancels main, as asyncio.run does on Ctrl-C; the echo tasks left are
// then cancelled, closing their connections, and the program exits 0.
#include <utility>

#include "echo/loop_models.hpp"

namespace echo {

tulip::Coro<void> echo(tulip::Socket connection, tulip::EventLoop& loop, const LoopServer& server) {
    const std::size_t bufsize = recv_size(server.options, 1024);
    const bool tilde = !server.plain() && server.loop_options.seed == "000";
    for (;;) {
        std::string data = co_await loop.sock_recv(connection, bufsize);
        if (data.empty()) break;  // b'': the client closed its side
        if (tilde) data += '~';
        co_await loop.sock_sendall(connection, data);
    }
}

tulip::Coro<void> listen_for_connection(tulip::Socket& server_socket, tulip::EventLoop& loop,
                                        const LoopServer& server) {
    for (;;) {
        Accepted client = co_await accept_connection(loop, server_socket, server);
        loop.create_task(echo(std::move(client.conn), loop, server));
    }
}

namespace {

tulip::Coro<void> main_coroutine(const LoopServer& server) {
    tulip::Socket server_socket = open_loop_listener(server.options);
    co_await listen_for_connection(server_socket, tulip::get_running_loop(), server);
}

}  // namespace

void serve_coroutine(const LoopServer& server) {
    run_until_signal(main_coroutine(server));
}

}  // namespace echo
