// s03 naive-multi: seed 001 listing 3.3 ("允许多个连接和阻塞的危险"): accept a
// client, add it to `connections`, then read one line from every connection
// in turn and echo it, then accept again. With blocking sockets that loop
// waits on whichever client is quiet: client 2 gets no echo while client 1
// sits connected and silent, and nobody is served while we wait in accept().
// That failure is the seed's point, and this model keeps it.
//
// Not copied from the seed: it never drops a client that has left, so every
// later round reads its EOF and send()s b'' to a closed socket; here a client
// is dropped at EOF. Its send() becomes sendall().
#include <list>

#include "echo/blocking_echo.hpp"
#include "echo/models.hpp"

namespace echo {
namespace {

struct Client {
    tulip::Socket conn;
    tulip::Address address;
    examples::StopSignal::Watch watch;  // after conn: unwatches before conn closes
    LineBuffer lines;
};

}  // namespace

void serve_naive_multi(Server& server) {
    const Voice voice(Dialect::seed001_lines, server.options.plain);
    const std::size_t bufsize = recv_size(server.options, 2);
    std::list<Client> connections;
    while (auto accepted = accept_until_stop(server)) {
        voice.connected(accepted->address);
        const int fd = accepted->conn.fileno();
        connections.push_back(Client{std::move(accepted->conn), accepted->address,
                                     examples::StopSignal::Watch(server.stop, fd),
                                     LineBuffer(server.options.plain)});
        for (auto it = connections.begin(); it != connections.end();) {
            if (echo_line(it->conn, it->address, it->lines, voice, bufsize)) {
                ++it;
            } else {
                it = connections.erase(it);
            }
        }
    }
}

}  // namespace echo
