// The Slow Poetry Server, blocking edition (seed 003, "低效的诗歌服务器"):
// accept one client, send it the poem --num-bytes at a time with a sleep of
// --delay after each chunk, close, accept the next. A second client waits in
// the listen queue until the first has its whole poem: that is the lesson.
//
// Not copied from the seed: the sleep ends early on SIGINT/SIGTERM (it waits
// on a socket that the stop signal shuts down), so the server stops at once;
// and the end of a delivery is the half-close of server.hpp, not close().
#include <fmt/format.h>
#include <poll.h>

#include <cmath>

#include "common/accept.hpp"
#include "poetry/poem.hpp"
#include "poetry/say.hpp"
#include "poetry/server.hpp"
#include "tulip/errors.hpp"

namespace poetry {
namespace {

// time.sleep(seconds), cut short by a stop: it waits for one end of a
// socketpair to become readable, which it does when StopSignal shuts it down.
class StopAwareSleep {
public:
    explicit StopAwareSleep(examples::StopSignal& stop)
        : pair_(tulip::Socket::pair()), watch_(stop, pair_.first.fileno()) {}

    void operator()(double seconds) const {
        pollfd pfd{pair_.first.fileno(), POLLIN, 0};
        const int ms = static_cast<int>(std::ceil(seconds * 1000));
        ::poll(&pfd, 1, ms);  // EINTR cannot happen: the stop signals are blocked here
    }

private:
    std::pair<tulip::Socket, tulip::Socket> pair_;
    examples::StopSignal::Watch watch_;  // after pair_: unwatched before it closes
};

enum class Result { end, error, stopped };

// The seed's send_poetry(sock, poetry_file, num_bytes, delay).
Result send_poetry(Server& server, tulip::Socket& sock, const StopAwareSleep& sleep) {
    examples::StopSignal& stop = *server.stop;
    const examples::StopSignal::Watch watch(stop, sock.fileno());  // a stop wakes sendall/recv
    Feed feed(server.poem, server.options.num_bytes);
    try {
        for (;;) {
            const std::string_view chunk = feed.next_chunk();
            if (chunk.empty()) break;
            say(fmt::format("Sending {} bytes", chunk.size()));
            sock.sendall(chunk);
            sleep(server.options.delay);
            if (stop.stop_requested()) return Result::stopped;
        }
        // The half-close (server.hpp): EOF for the client, then wait for its close.
        sock.shutdown(SHUT_WR);
        sock.settimeout(linger);
        while (!sock.recv(512).empty()) {
        }
    } catch (const tulip::TimeoutError&) {
        // The client kept the connection open: close it anyway; the poem went out.
    } catch (const tulip::OSError&) {
        return stop.stop_requested() ? Result::stopped : Result::error;
    }
    return stop.stop_requested() ? Result::stopped : Result::end;
}

}  // namespace

void serve_blocking(Server& server) {
    examples::StopSignal& stop = *server.stop;
    const examples::StopSignal::Watch watch(stop, server.listener.fileno());
    const StopAwareSleep sleep(stop);
    server.announce();
    while (!stop.stop_requested()) {
        // nullopt: a per-connection error (EMFILE pauses first), or the stop
        // shut the listener down; the loop's condition tells which.
        std::optional<examples::Accepted> client = examples::accept_client(server.listener, &stop);
        if (!client) continue;
        greet(client->address);
        const Result result = send_poetry(server, client->conn, sleep);
        client->conn.close();
        if (result == Result::end) say("sending complete");
        if (result == Result::error) say("error, sending stopped");
    }
}

}  // namespace poetry
