// s07 select: seed 004's select server ("Server received b'...'" replies,
// "Connected by ('127.0.0.1', 50442)", "received \"b'...'\" from ...") in the
// shape of seed 000's: a non-blocking listening socket in `inputs` (rlist);
// each client joins `inputs` and gets a message queue; a client with queued
// replies joins `outputs` (wlist) until its queue is empty; `inputs` is also
// xlist. The select(2) call is used directly: Python's select.select is a thin
// wrapper over it, rebuilding the fd_sets from the lists on every call as we do.
//
// Not copied from the seeds: 004 deletes message_queues[s] after the loop
// over the exceptional sockets (wrong indentation), and both handle the
// readable, writable and exceptional lists in three passes; here each socket's
// events are handled together, so a socket closed in one pass is never touched
// in the next (its number may be reused by then). send() dropped what the
// kernel did not take; MessageQueue keeps it. A client past FD_SETSIZE (select's
// 1024 limit, which seed 004 lists first) is refused instead of corrupting memory.
#include <sys/select.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "echo/connection.hpp"
#include "echo/models.hpp"
#include "tulip/errors.hpp"

namespace echo {
namespace {

fd_set to_fd_set(const std::set<int>& fds) {
    fd_set set;
    FD_ZERO(&set);
    for (const int fd : fds) FD_SET(fd, &set);
    return set;
}

}  // namespace

void serve_select(Server& server) {
    const Voice voice(Dialect::seed004, server.options.plain);
    const std::size_t bufsize = recv_size(server.options, 1024);
    server.listener.setblocking(false);  // multiplexing goes with non-blocking sockets
    const int listener = server.listener.fileno();

    std::set<int> inputs{listener};
    std::set<int> outputs;
    std::map<int, Connection> message_queues;  // a connection holds its queue

    while (!server.stop.stop_requested()) {
        fd_set readable = to_fd_set(inputs);
        fd_set writable = to_fd_set(outputs);
        fd_set exceptional = to_fd_set(inputs);
        const int nfds = *inputs.rbegin() + 1;  // outputs is a subset of inputs
        if (::select(nfds, &readable, &writable, &exceptional, nullptr) < 0) {
            if (errno == EINTR) continue;
            tulip::raise_os_error(errno, "select");
        }
        if (server.stop.stop_requested()) break;  // the stop made the listener readable

        for (const int fd : std::vector<int>(inputs.begin(), inputs.end())) {
            if (fd == listener) continue;  // accepted last: see below
            Connection& conn = message_queues.at(fd);
            bool alive = true;
            if (FD_ISSET(fd, &exceptional)) {
                voice.failed(conn.peer, tulip::RuntimeError("select() reported an exception"));
                alive = false;
            }
            if (alive && FD_ISSET(fd, &readable)) alive = conn.on_readable(bufsize);
            if (alive && FD_ISSET(fd, &writable)) alive = conn.on_writable();
            if (!alive) {
                inputs.erase(fd);
                outputs.erase(fd);
                message_queues.erase(fd);  // closes the socket
            } else if (conn.has_pending()) {
                outputs.insert(fd);  // a reply waits: watch for writability
            } else {
                outputs.erase(fd);  // nothing to send: writability would wake us for nothing
            }
        }

        // Accepting after the clients' events means a descriptor closed above can
        // be reused by accept() without being mistaken for the old client.
        if (!FD_ISSET(listener, &readable)) continue;
        // Readable, but a stop may have shut the listener down since: nullopt then.
        auto client = examples::accept_client(server.listener, &server.stop);
        if (!client) continue;
        if (client->conn.fileno() >= FD_SETSIZE) {
            std::fprintf(stderr, "select() cannot watch fd %d (FD_SETSIZE is %d): refused\n",
                         client->conn.fileno(), FD_SETSIZE);
            continue;
        }
        const int fd = client->conn.fileno();
        message_queues.try_emplace(fd, std::move(*client), voice);
        inputs.insert(fd);
    }
}

}  // namespace echo
