// s06 busy: seed 001 listings 3.4-3.6 ("使用非阻塞套接字"), and seed 000's
// non-blocking loop: the listening socket and every connection are
// non-blocking, and one thread spins forever trying accept() and recv() on
// each, ignoring BlockingIOError. No client waits on another any more, but
// the loop never sleeps: it keeps a CPU core at 100 % (the seed's figure 3.3),
// which is why the selector models follow. It says so when it starts.
//
// Not copied from the seeds: 3.6 keeps the half-read line in a local variable,
// so a BlockingIOError in mid-line loses it; here each connection has its
// LineBuffer. It never drops a closed client (it then "receives" b'' forever);
// here EOF closes it. Its send() on a non-blocking socket drops what the
// kernel does not take; here replies wait in the connection's MessageQueue.
#include <cstdio>
#include <list>

#include "echo/connection.hpp"
#include "echo/models.hpp"

namespace echo {

void serve_busy(Server& server) {
    std::fputs("warning: the busy model polls without ever sleeping; it burns a CPU core\n",
               stderr);
    const Voice voice(Dialect::seed001_lines, server.options.plain);
    const std::size_t bufsize = recv_size(server.options, 2);
    server.listener.setblocking(false);
    std::list<Connection> connections;
    while (!server.stop.stop_requested()) {  // no wake-up needed: we never wait
        // nullopt: nobody waiting, a per-connection error, or the stop shut the listener down.
        if (auto client = examples::accept_client(server.listener, &server.stop)) {
            connections.emplace_back(std::move(*client), voice, !server.options.plain);
        }
        for (auto it = connections.begin(); it != connections.end();) {
            const bool alive = it->on_readable(bufsize) && it->on_writable();
            it = alive ? std::next(it) : connections.erase(it);
        }
    }
}

}  // namespace echo
