// s09 epoll and epoll-et: seed 000's epoll server ("多路复用之 epoll"): the
// listening socket is registered for EPOLLIN; each client is registered for
// EPOLLIN, modified to EPOLLIN | EPOLLOUT while it has replies queued and back
// to EPOLLIN once they are sent, and unregistered before it is closed. Replies
// "服务端收到, 你发的消息是: " + msg and prints the seed's Chinese log lines.
// epoll(7) is used directly, as Python's select.epoll wraps it.
//
// epoll-et registers everything edge-triggered (EPOLLET, the seed's "ET"
// section): an event then means "something changed", not "something is
// there", so each event is served until EAGAIN: accept() until the backlog is
// empty, recv() until the socket is empty, send() until it is full.
//
// Not copied from the seeds: 000 re-registers (unregister + register) where
// modify does (it says so itself), and checks EPOLLERR only when neither
// EPOLLIN nor EPOLLOUT came; here a hang-up or error goes to recv(), which
// tells EOF from ECONNRESET. Seed 004's epoll listing does not run (its loop
// variable and `s` are missing) and is not the one ported. send() dropped what
// the kernel did not take; see MessageQueue.
#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <span>
#include <unordered_map>

#include "echo/connection.hpp"
#include "echo/models.hpp"
#include "tulip/errors.hpp"

namespace echo {
namespace {

// Python's select.epoll(): register -> add, unregister -> remove (epoll_ctl's verbs).
class Epoll {
public:
    Epoll() : fd_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (fd_ < 0) tulip::raise_os_error(errno, "epoll_create1");
    }
    ~Epoll() { ::close(fd_); }
    Epoll(const Epoll&) = delete;
    Epoll& operator=(const Epoll&) = delete;

    void add(int fd, std::uint32_t events) { ctl(EPOLL_CTL_ADD, fd, events); }
    void modify(int fd, std::uint32_t events) { ctl(EPOLL_CTL_MOD, fd, events); }
    void remove(int fd) { ctl(EPOLL_CTL_DEL, fd, 0); }

    // epoll.poll(): the ready events; none after an EINTR.
    std::span<const epoll_event> poll(int timeout_ms = -1) {
        const int n =
            ::epoll_wait(fd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
        if (n < 0 && errno != EINTR) tulip::raise_os_error(errno, "epoll_wait");
        return {events_.data(), static_cast<std::size_t>(n < 0 ? 0 : n)};
    }

private:
    void ctl(int op, int fd, std::uint32_t events) {
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        if (::epoll_ctl(fd_, op, fd, &event) < 0) tulip::raise_os_error(errno, "epoll_ctl");
    }

    int fd_;
    std::array<epoll_event, 128> events_{};
};

struct Client {
    Connection conn;
    std::uint32_t registered;  // the mask epoll has now, so that unchanged ones cost no syscall
};

void serve(Server& server, bool edge_triggered) {
    const Voice voice(Dialect::seed000_multiplexed, server.options.plain);
    const std::size_t bufsize = recv_size(server.options, 1024);
    const std::uint32_t et = edge_triggered ? std::uint32_t{EPOLLET} : 0u;
    server.listener.setblocking(false);
    const int listener = server.listener.fileno();

    Epoll epoll;
    epoll.add(listener, EPOLLIN | et);
    std::unordered_map<int, Client> fd2conn;  // the seed's fd2sk and message_queues in one

    while (!server.stop.stop_requested()) {
        const auto events = epoll.poll();
        if (server.stop.stop_requested()) break;
        for (const epoll_event& event : events) {
            const int fd = event.data.fd;
            if (fd == listener) {
                do {  // level-triggered: one accept per event, as the seed; edge: drain
                    // nullopt: drained, a per-connection error, or a stop since epoll_wait()
                    auto accepted = examples::accept_client(server.listener, &server.stop);
                    if (!accepted) break;
                    const int conn_fd = accepted->conn.fileno();
                    fd2conn.try_emplace(
                        conn_fd, Client{Connection(std::move(*accepted), voice), EPOLLIN | et});
                    epoll.add(conn_fd, EPOLLIN | et);
                } while (edge_triggered);
                continue;
            }
            Client& client = fd2conn.at(fd);
            bool alive = true;
            if (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                alive = client.conn.on_readable(bufsize, /*drain=*/edge_triggered);
            }
            if (alive && (event.events & EPOLLOUT)) alive = client.conn.on_writable();
            if (!alive) {
                epoll.remove(fd);  // unregister before close, as the seed
                fd2conn.erase(fd);
                continue;
            }
            const std::uint32_t wanted =
                EPOLLIN | (client.conn.has_pending() ? std::uint32_t{EPOLLOUT} : 0u) | et;
            if (wanted != client.registered) {
                epoll.modify(fd, wanted);
                client.registered = wanted;
            }
        }
    }
}

}  // namespace

void serve_epoll(Server& server) {
    serve(server, /*edge_triggered=*/false);
}
void serve_epoll_et(Server& server) {
    serve(server, /*edge_triggered=*/true);
}

}  // namespace echo
