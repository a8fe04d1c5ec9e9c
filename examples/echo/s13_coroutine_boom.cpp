// s13 coroutine-boom: seed 001 section 3.5.3 ("处理任务中的错误"): s12's
// server whose echo() raises when a client sends exactly "boom\r\n" (one recv
// returning those six bytes, as the seed compares them; telnet sends a line in
// one segment). It prints "got data!" for every chunk, as the seed's does.
//
// By default echo() is the seed's try/except/finally: the exception is logged
// on stderr in logging.exception's shape ("ERROR:root:Unexpected network
// error", then the connection and the exception's type) and the connection is
// closed; every other client goes on being served. With --unhandled it is the
// seed's first version: the exception escapes the task, the task (which nobody
// keeps: create_task's result is dropped) ends failed, and the loop's default
// exception handler reports "Task exception was never retrieved" with the task
// and "RuntimeError: Unexpected network error" (Python: Exception). The
// connection still closes, as the task's frame, which owns it, goes.
// With --plain nothing is printed per chunk, but "boom\r\n" still goes off.
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <utility>

#include "common/pyrepr.hpp"
#include "echo/loop_models.hpp"
#include "echo/voice.hpp"
#include "tulip/errors.hpp"

namespace echo {
namespace {

tulip::Coro<void> echo_unhandled(tulip::Socket& connection, tulip::EventLoop& loop, const LoopServer& server) {
    const std::size_t bufsize = recv_size(server.options, 1024);
    for (;;) {
        std::string data = co_await loop.sock_recv(connection, bufsize);
        if (data.empty()) break;
        if (!server.plain()) say("got data!");
        if (data == "boom\r\n") throw tulip::RuntimeError("Unexpected network error");
        co_await loop.sock_sendall(connection, data);
    }
}

// logging.exception(ex): "ERROR:root:<str(ex)>", then (for the traceback) what failed where.
void log_exception(const std::exception_ptr& error, const tulip::Address& peer) {
    std::string what;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        what = e.what();
    }
    const std::string text = fmt::format("ERROR:root:{}\n  on the connection from {}, now closed: {}\n", what,
                                         examples::address_repr(peer), tulip::describe_exception(error));
    std::fputs(text.c_str(), stderr);
}

tulip::Coro<void> listen_for_boom(tulip::Socket& server_socket, tulip::EventLoop& loop, const LoopServer& server) {
    for (;;) {
        Accepted client = co_await accept_connection(loop, server_socket, server);
        loop.create_task(echo_boom(std::move(client), loop, server));
    }
}

tulip::Coro<void> main_boom(const LoopServer& server) {
    tulip::Socket server_socket = open_loop_listener(server.options);
    co_await listen_for_boom(server_socket, tulip::get_running_loop(), server);
}

}  // namespace

tulip::Coro<void> echo_boom(Accepted client, tulip::EventLoop& loop, const LoopServer& server) {
    // `finally: connection.close()` is the Socket's destructor, at the end of this frame.
    if (server.loop_options.unhandled) {
        co_await echo_unhandled(client.conn, loop, server);
        co_return;
    }
    std::exception_ptr error;
    try {
        co_await echo_unhandled(client.conn, loop, server);
    } catch (const std::exception&) {  // `except Exception`: a CancelledError passes through
        error = std::current_exception();
    }
    if (error) log_exception(error, client.address);
}

void serve_coroutine_boom(const LoopServer& server) {
    run_until_signal(main_boom(server));
}

}  // namespace echo
