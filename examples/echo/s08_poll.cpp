// s08 poll: seed 004's poll server: every socket is registered READ_ONLY
// (POLLIN | POLLPRI | POLLHUP | POLLERR); a client with a queued reply is
// modified to READ_WRITE (| POLLOUT) until its queue is empty; poll() waits at
// most TIMEOUT = 500 ms per round. Replies "Server received b'...'". A small
// Poller below plays Python's select.poll object over poll(2): a map from fd
// to mask that becomes the pollfd array on each call.
//
// Not copied from the seed: it loses the loop variable's name ("for , flag in
// events") and deletes message_queues[s] after *every* event (indentation), so
// the next message of that client fails; it also tests the flags in one elif
// chain, where a hang-up or error is only seen when no POLLIN came with it.
// Here readiness, hang-up and error all go to recv(), which tells EOF
// (b'': the client left) from an error (ECONNRESET...), and POLLOUT is served
// in the same round. send() dropped what the kernel did not take; see MessageQueue.
#include <poll.h>

#include <cerrno>
#include <map>
#include <utility>
#include <vector>

#include "echo/connection.hpp"
#include "echo/models.hpp"
#include "tulip/errors.hpp"

namespace echo {
namespace {

constexpr short READ_ONLY = POLLIN | POLLPRI | POLLHUP | POLLERR;
constexpr short READ_WRITE = READ_ONLY | POLLOUT;
constexpr int TIMEOUT = 500;  // milliseconds, as the seed

// Python's select.poll(): register -> add, unregister -> remove.
class Poller {
public:
    void add(int fd, short events) { fds_[fd] = events; }
    void modify(int fd, short events) { fds_.at(fd) = events; }
    void remove(int fd) { fds_.erase(fd); }

    // (fd, revents) of the ready descriptors, like poll.poll(timeout).
    std::vector<std::pair<int, short>> poll(int timeout_ms) {
        std::vector<pollfd> pollfds;
        pollfds.reserve(fds_.size());
        for (const auto& [fd, events] : fds_) pollfds.push_back(pollfd{fd, events, 0});
        std::vector<std::pair<int, short>> ready;
        if (::poll(pollfds.data(), pollfds.size(), timeout_ms) < 0) {
            if (errno == EINTR) return ready;  // as an empty round
            tulip::raise_os_error(errno, "poll");
        }
        for (const pollfd& p : pollfds) {
            if (p.revents != 0) ready.emplace_back(p.fd, p.revents);
        }
        return ready;
    }

private:
    std::map<int, short> fds_;
};

}  // namespace

void serve_poll(Server& server) {
    const Voice voice(Dialect::seed004, server.options.plain);
    const std::size_t bufsize = recv_size(server.options, 1024);
    server.listener.setblocking(false);
    const int listener = server.listener.fileno();

    Poller poller;
    poller.add(listener, READ_ONLY);
    std::map<int, Connection> clients;  // the seed's _to_socket and message_queues in one

    while (!server.stop.stop_requested()) {
        const auto events = poller.poll(TIMEOUT);
        if (server.stop.stop_requested()) break;
        for (const auto& [fd, flag] : events) {
            if (fd == listener) {
                // nullopt also when a stop shut the listener down after poll()
                if (auto client = examples::accept_client(server.listener, &server.stop)) {
                    const int conn_fd = client->conn.fileno();
                    clients.try_emplace(conn_fd, std::move(*client), voice);
                    poller.add(conn_fd, READ_ONLY);  // new sockets watch READ_ONLY
                }
                continue;
            }
            Connection& conn = clients.at(fd);
            bool alive = true;
            if (flag & (POLLIN | POLLPRI | POLLHUP | POLLERR)) alive = conn.on_readable(bufsize);
            if (alive && (flag & POLLOUT)) alive = conn.on_writable();
            if (!alive) {
                poller.remove(fd);
                clients.erase(fd);  // closes the socket, after it left the poller
                continue;
            }
            poller.modify(fd, conn.has_pending() ? READ_WRITE : READ_ONLY);
        }
    }
}

}  // namespace echo
