// s11 selectors: seed 001 listing 3.7 ("使用 selector 模块构建套接字事件循环")
// built the way seed 000's selectors server is: a tulip::DefaultSelector
// (epoll here), and every registration's key.data says what to call when its
// socket is ready: accept for the listening socket, recv for a client, and
// send while a client has replies queued (EVENT_READ | EVENT_WRITE) until the
// queue is empty and it goes back to recv. It echoes the bytes as they came
// and prints 3.7's lines ("I got a connection from ('127.0.0.1', 5000)",
// "I got some data: b'hi'"); select(timeout=1) returning nothing prints
// "No events, waiting a bit more!" once a second, as 3.7 does, in the default
// mode only: --plain (benchmarks, tests) stays silent.
//
// Not copied from the seeds: in 3.7 a client's EOF (b'') is echoed and never
// unregistered, so the loop then spins on that socket forever; here it is
// unregistered and closed. 000's send callback, registered for READ | WRITE,
// ignores readability; here it reads too, so a client that keeps sending is
// still read while its replies go out. Both seeds' send() dropped what the
// kernel did not take; see MessageQueue.
#include <memory>
#include <optional>
#include <unordered_map>

#include "echo/connection.hpp"
#include "echo/models.hpp"
#include "tulip/selectors.hpp"

namespace echo {
namespace {

class SelectorServer {
public:
    explicit SelectorServer(Server& server)
        : server_(server),
          voice_(Dialect::seed001_selectors, server.options.plain),
          bufsize_(recv_size(server.options, 1024)),
          sel_(tulip::DefaultSelector()) {}

    void serve_forever();

private:
    struct Channel;
    using Callback = void (SelectorServer::*)(Channel&, tulip::Events);
    // What key.data points to: the callback of the moment and the client it serves.
    struct Channel {
        Callback callback;
        std::optional<Connection> conn;  // none for the listening socket
    };

    void accept(Channel& channel, tulip::Events mask);
    void recv(Channel& channel, tulip::Events mask);
    void send(Channel& channel, tulip::Events mask);
    void settle(Channel& channel);  // recv or send, whichever its queue calls for
    void close(Channel& channel);

    Server& server_;
    const Voice voice_;
    const std::size_t bufsize_;
    std::unique_ptr<tulip::Selector> sel_;
    Channel listening_{&SelectorServer::accept, std::nullopt};
    std::unordered_map<int, std::unique_ptr<Channel>> clients_;  // by fd
};

void SelectorServer::serve_forever() {
    server_.listener.setblocking(false);
    sel_->add(server_.listener, tulip::EVENT_READ, &listening_);
    while (!server_.stop.stop_requested()) {
        const auto& events = sel_->select(/*timeout=*/1);
        if (server_.stop.stop_requested()) break;
        if (events.empty()) voice_.idle();
        for (const tulip::Ready& ready : events) {
            // Each fd is reported at most once per select(), so a callback that
            // closes its own client never leaves a dangling entry behind it.
            auto& channel = *static_cast<Channel*>(ready.key.data);
            (this->*channel.callback)(channel, ready.events);
        }
    }
    for (auto& [fd, channel] : clients_) sel_->remove(fd);
    clients_.clear();  // closes every client socket, after it left the selector
    sel_->remove(server_.listener);
}

void SelectorServer::accept(Channel&, tulip::Events) {
    // nullopt also when a stop shut the listener down after select()
    auto client = examples::accept_client(server_.listener, &server_.stop);
    if (!client) return;
    const int fd = client->conn.fileno();
    auto channel = std::make_unique<Channel>(
        Channel{&SelectorServer::recv, Connection(std::move(*client), voice_)});
    sel_->add(fd, tulip::EVENT_READ, channel.get());
    clients_.emplace(fd, std::move(channel));
}

void SelectorServer::recv(Channel& channel, tulip::Events) {
    if (!channel.conn->on_readable(bufsize_)) return close(channel);
    settle(channel);
}

void SelectorServer::send(Channel& channel, tulip::Events mask) {
    if ((mask & tulip::EVENT_READ) && !channel.conn->on_readable(bufsize_)) return close(channel);
    if ((mask & tulip::EVENT_WRITE) && !channel.conn->on_writable()) return close(channel);
    settle(channel);
}

void SelectorServer::settle(Channel& channel) {
    const bool pending = channel.conn->has_pending();
    const Callback wanted = pending ? &SelectorServer::send : &SelectorServer::recv;
    if (channel.callback == wanted) return;
    channel.callback = wanted;
    sel_->modify(channel.conn->fileno(),
                 pending ? tulip::EVENT_READ | tulip::EVENT_WRITE : tulip::EVENT_READ, &channel);
}

void SelectorServer::close(Channel& channel) {
    const int fd = channel.conn->fileno();
    sel_->remove(fd);    // unregister first, as the seeds
    clients_.erase(fd);  // destroys `channel` and closes its socket
}

}  // namespace

void serve_selectors(Server& server) {
    SelectorServer(server).serve_forever();
}

}  // namespace echo
