// The Slow Poetry Server, event loop edition (seed 003, "事件驱动式诗歌服务器"):
// loop.add_reader on the listening socket accepts, loop.add_writer on a client
// sends it a chunk. The loop, not the program, owns the `while True`.
//
// Not copied from the seed: its writer callback ends with time.sleep(delay),
// which blocks the whole loop, so every client waits for every other one's
// sleeps. Here a client's writer is removed once its chunk has gone and
// loop.call_later(delay) adds it back for the next chunk: the clients are
// served at once, each at its own pace. A reader on each client drops its
// `poems` requests and notices when it leaves; the delivery ends with the
// half-close of server.hpp; SIGINT/SIGTERM stop the loop (add_signal_handler).
#include <csignal>
#include <memory>
#include <optional>
#include <unordered_map>

#include "poetry/poem.hpp"
#include "poetry/say.hpp"
#include "poetry/server.hpp"
#include "tulip/errors.hpp"
#include "tulip/loop.hpp"

namespace poetry {
namespace {

class LoopServer {
public:
    LoopServer(Server& server, tulip::EventLoop& loop) : server_(server), loop_(loop) {}
    ~LoopServer();  // closes what is still open

    void start() {
        server_.listener.setblocking(false);
        loop_.add_reader(server_.listener.fileno(), [this] { serve(); });
    }

private:
    struct Client {
        Client(tulip::Socket s, const Server& server)
            : sock(std::move(s)), feed(server.poem, server.options.num_bytes) {}
        tulip::Socket sock;
        Feed feed;
        tulip::TimerHandle timer;  // the next chunk, or the end of the linger
        bool lingering = false;
    };

    void serve();                      // the listener's reader: the seed's serve()
    void send_next(Client& client);    // a chunk is due: add the writer
    void send_poetry(Client& client);  // the writer: the seed's send_poetry()
    void on_readable(Client& client);  // the reader: requests and departure
    void close(Client& client);
    void fail(Client& client, const tulip::OSError& error);

    Server& server_;
    tulip::EventLoop& loop_;
    std::unordered_map<int, std::unique_ptr<Client>> clients_;  // by fd
};

LoopServer::~LoopServer() {
    for (auto& [fd, client] : clients_) client->timer.cancel();
    clients_.clear();  // closing a socket drops its reader and writer (the loop hears of every close)
    loop_.remove_reader(server_.listener.fileno());
}

void LoopServer::serve() {
    std::optional<tulip::Socket> sock = accept_nonblocking(server_);
    if (!sock) return;
    const int fd = sock->fileno();
    Client* client = clients_.emplace(fd, std::make_unique<Client>(std::move(*sock), server_)).first->second.get();
    loop_.add_reader(fd, [this, client] { on_readable(*client); });
    send_next(*client);  // the first chunk goes at once
}

void LoopServer::send_next(Client& client) {
    if (!client.feed.finished()) {
        loop_.add_writer(client.sock.fileno(), [this, &client] { send_poetry(client); });
        return;
    }
    try {
        client.sock.shutdown(SHUT_WR);
    } catch (const tulip::OSError& e) {
        return fail(client, e);
    }
    say("sending complete");
    client.lingering = true;
    client.timer = loop_.call_later(linger, [this, &client] { close(client); });
}

void LoopServer::send_poetry(Client& client) {
    try {
        if (!client.feed.send_some(client.sock)) return;  // the rest when writable again
    } catch (const tulip::OSError& e) {
        return fail(client, e);
    }
    loop_.remove_writer(client.sock.fileno());
    client.timer = loop_.call_later(server_.options.delay, [this, &client] { send_next(client); });
}

void LoopServer::on_readable(Client& client) {
    try {
        if (discard_input(client.sock)) return;
    } catch (const tulip::OSError& e) {
        return fail(client, e);
    }
    if (!client.lingering) say("the client went away, sending stopped");
    close(client);
}

void LoopServer::close(Client& client) {
    client.timer.cancel();
    const int fd = client.sock.fileno();
    loop_.remove_reader(fd);
    loop_.remove_writer(fd);
    clients_.erase(fd);  // destroys `client` and closes its socket
}

void LoopServer::fail(Client& client, const tulip::OSError& error) {
    say_sending_stopped(error.what());
    close(client);
}

}  // namespace

void serve_loop(Server& server) {
    tulip::EventLoop loop;
    for (const int sig : {SIGINT, SIGTERM}) loop.add_signal_handler(sig, [&loop] { loop.stop(); });
    {
        LoopServer poetry(server, loop);
        poetry.start();
        server.announce();
        loop.run_forever();
    }
    loop.close();
}

}  // namespace poetry
