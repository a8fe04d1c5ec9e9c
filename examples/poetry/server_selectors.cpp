// The Slow Poetry Server, selectors edition (seed 003, "select风格的诗歌服务器"):
// one thread, one tulip::DefaultSelector, every client served at once. As in
// the seed, key.data says what to call when a socket is ready (accept for the
// listener, send_poetry for a client) and a client is registered for
// EVENT_WRITE when it is to be sent a chunk.
//
// Not copied from the seed: its send_poetry calls time.sleep(delay) inside
// the callback, which stalls every other client for that long, so the
// clients end up served one chunk each in turn, no faster than the blocking
// server. What it meant is done here: after a chunk a client leaves
// EVENT_WRITE and gets a due time; select()'s timeout is the time to the
// nearest due chunk, and then that client asks for EVENT_WRITE again. A
// client is also registered for EVENT_READ throughout, so its `poems`
// requests are read (and dropped) and its departure is noticed. Partial sends
// are kept (the seed's sendall on a non-blocking socket could raise mid-chunk),
// and the delivery ends with the half-close of server.hpp.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>

#include "poetry/poem.hpp"
#include "poetry/say.hpp"
#include "poetry/server.hpp"
#include "tulip/errors.hpp"
#include "tulip/selectors.hpp"

namespace poetry {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

class SelectorServer {
public:
    explicit SelectorServer(Server& server) : server_(server), sel_(tulip::DefaultSelector()) {}
    void serve_forever();

private:
    struct Channel;
    using Callback = void (SelectorServer::*)(Channel&, tulip::Events);
    // What key.data points to: the seed's data={'callback': ...}.
    struct Channel {
        Callback callback;
    };
    struct Client : Channel {
        Client(Callback cb, tulip::Socket s, const Server& server)
            : Channel{cb}, sock(std::move(s)), feed(server.poem, server.options.num_bytes) {}
        tulip::Socket sock;
        Feed feed;
        bool writing = false;    // registered for EVENT_WRITE: a chunk is going out
        bool lingering = false;  // half-closed: waiting for the client to close
        Clock::time_point due;   // the next chunk; when lingering, when to stop waiting
    };

    void serve(Channel& listening, tulip::Events mask);
    void send_poetry(Channel& channel, tulip::Events mask);
    void run_due();                      // what select()'s timeout was for
    double seconds_to_next_due() const;  // select()'s timeout: -1 when nothing is due
    void close(Client& client);          // unregister, then close
    void fail(Client& client, const tulip::OSError& error);

    Server& server_;
    std::unique_ptr<tulip::Selector> sel_;
    Channel listening_{&SelectorServer::serve};
    std::unordered_map<int, std::unique_ptr<Client>> clients_;  // by fd
};

void SelectorServer::serve_forever() {
    examples::StopSignal& stop = *server_.stop;
    const examples::StopSignal::Watch watch(stop, server_.listener.fileno());  // a stop wakes select()
    server_.listener.setblocking(false);
    sel_->add(server_.listener, tulip::EVENT_READ, &listening_);
    server_.announce();
    while (!stop.stop_requested()) {
        const auto& events = sel_->select(seconds_to_next_due());
        if (stop.stop_requested()) break;
        for (const tulip::Ready& ready : events) {
            // Each fd is reported at most once per select(), so a callback that
            // closes its own client leaves no dangling entry behind it.
            auto& channel = *static_cast<Channel*>(ready.key.data);
            (this->*channel.callback)(channel, ready.events);
        }
        run_due();
    }
    for (auto& [fd, client] : clients_) sel_->remove(fd);
    clients_.clear();  // closes every client socket, after it left the selector
    sel_->remove(server_.listener);
}

void SelectorServer::serve(Channel&, tulip::Events) {
    std::optional<tulip::Socket> sock = accept_nonblocking(server_);
    if (!sock) return;
    const int fd = sock->fileno();
    auto client = std::make_unique<Client>(&SelectorServer::send_poetry, std::move(*sock), server_);
    client->due = Clock::now();  // the first chunk goes at once
    sel_->add(fd, tulip::EVENT_READ, client.get());
    clients_.emplace(fd, std::move(client));
}

void SelectorServer::send_poetry(Channel& channel, tulip::Events mask) {
    auto& client = static_cast<Client&>(channel);
    try {
        if ((mask & tulip::EVENT_READ) && !discard_input(client.sock)) {
            if (!client.lingering) say("the client went away, sending stopped");
            return close(client);
        }
        if ((mask & tulip::EVENT_WRITE) && client.writing && client.feed.send_some(client.sock)) {
            client.writing = false;
            sel_->modify(client.sock, tulip::EVENT_READ, &client);
            client.due = Clock::now() + seconds(server_.options.delay);
        }
    } catch (const tulip::OSError& e) {
        fail(client, e);
    }
}

void SelectorServer::run_due() {
    const auto now = Clock::now();
    for (auto it = clients_.begin(); it != clients_.end();) {
        Client& client = *(it++)->second;  // advanced first: close() erases the entry
        if (client.writing || client.due > now) continue;
        if (client.lingering) {
            close(client);  // the client never closed: give up waiting
        } else if (client.feed.finished()) {
            try {
                client.sock.shutdown(SHUT_WR);
            } catch (const tulip::OSError& e) {
                fail(client, e);
                continue;
            }
            say("sending complete");
            client.lingering = true;
            client.due = now + seconds(linger);
        } else {
            client.writing = true;
            sel_->modify(client.sock, tulip::EVENT_READ | tulip::EVENT_WRITE, &client);
        }
    }
}

double SelectorServer::seconds_to_next_due() const {
    std::optional<Clock::time_point> next;
    for (const auto& [fd, client] : clients_) {
        if (!client->writing && (!next || client->due < *next)) next = client->due;
    }
    if (!next) return -1;
    return std::max(0.0, std::chrono::duration<double>(*next - Clock::now()).count());
}

void SelectorServer::close(Client& client) {
    const int fd = client.sock.fileno();
    sel_->remove(fd);    // unregister first, as the seed
    clients_.erase(fd);  // destroys `client` and closes its socket
}

void SelectorServer::fail(Client& client, const tulip::OSError& error) {
    say_sending_stopped(error.what());
    close(client);
}

}  // namespace

void serve_selectors(Server& server) {
    SelectorServer(server).serve_forever();
}

}  // namespace poetry
