// selectors_chat: seed 002's exercise, "ChatServer rewritten on selectors", in
// its advanced form: every registration's key.data says what to call (accept
// for the listener, handle for a client, plus the console and the signals),
// every client has its own outgoing queue, and a broadcast puts one shared copy
// of the message in every queue. A client is registered for EVENT_WRITE only
// while its queue holds something: the seed registers READ | WRITE for good and
// notes the flaw itself — a socket is nearly always writable, so select() returns
// at once, forever, and the server spins at 100 % CPU while nobody talks.
//
// Not copied from the seed: it runs select() in a thread and reads commands in
// main, so `quit` is noticed only after the next event and stop() closes the
// selector under the running select(). Here stdin and a signalfd (SIGINT,
// SIGTERM) are registered in the same selector, one thread does everything, and
// stop() runs after the loop. The seed queues the raw bytes instead of the
// formatted message (a typo: its first version sends the message); it compares
// whole recv() chunks with b'quit', so a line "quit\n" never matched; and it
// buffers nothing, so a client that stops reading would make send() fail or
// block. Here messages are framed by lines, "quit" is a line, and each queue and
// each unfinished line has a bound.
#include <netdb.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/outbox.hpp"
#include "chat/servers.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/accept_errors.hpp"
#include "tulip/net/getaddrinfo.hpp"
#include "tulip/selectors.hpp"

namespace chat {
namespace {

using Clock = std::chrono::steady_clock;
using tulip::Events;

tulip::Socket open_listener(const Options& options) {
    tulip::Address address;
    try {
        address = tulip::Address::ip(options.host, options.port);  // numeric: no lookup
    } catch (const tulip::ValueError&) {
        address = tulip::getaddrinfo(options.host, std::to_string(options.port), 0, SOCK_STREAM, 0, AI_PASSIVE)
                      .front()
                      .address;
    }
    tulip::Socket listener(address.family(), SOCK_STREAM);
    listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    listener.bind(address);
    listener.listen();
    listener.setblocking(false);
    return listener;
}

// SIGINT and SIGTERM as a descriptor the selector can watch (blocked first, so
// that they queue on it instead of killing the process).
tulip::Socket open_signalfd() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &signals, nullptr);
    const int fd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) throw tulip::OSError(errno, "signalfd");
    return tulip::Socket::adopt(fd);  // only for its RAII close; never used as a socket
}

class ChatServer {
public:
    explicit ChatServer(const Options& options)
        : options_(options), selector_(tulip::DefaultSelector()), buffer_(64 * 1024) {}

    void start();          // bind, listen, register; prints "Listening on"
    void serve_forever();  // the seed's select(): until a stop is requested
    void stop();           // the seed's stop(): unregister and close every registration

private:
    struct Source;
    using Callback = void (ChatServer::*)(Source&, Events);
    // What key.data points to.
    struct Source {
        Callback callback;
        bool closed = false;  // a stale event for it in this round's answer is skipped
    };
    // A client is chatting, then leaving (what was queued still goes out, then a
    // lingering close: shutdown(SHUT_WR), read and discard until its EOF, so that
    // closing with unread input does not turn into a RST that destroys the
    // goodbye), then closed.
    struct Client : Source {
        Client(tulip::Socket s, std::string n, std::size_t max_line)
            : Source{&ChatServer::handle}, sock(std::move(s)), name(std::move(n)), lines(max_line) {}
        tulip::Socket sock;
        std::string name;  // "ip:port", as the seed formats the sender
        LineSplitter lines;
        Outbox outbox;
        Events interest = 0;  // what it is registered for
        bool leaving = false;
        bool eof = false;            // its EOF was read
        bool shut_down = false;      // our side sent EOF
        Clock::time_point deadline;  // when leaving: closed regardless after this
    };

    void accept(Source&, Events);
    void handle(Source& source, Events mask);  // the seed's handle(key, mask)
    void read_console(Source&, Events);
    void read_signal(Source&, Events);

    void receive(Client& client);
    void send_queued(Client& client);
    void broadcast(Client& sender, std::string_view line);
    void leave(Client& client, Reason reason);
    void settle(Client& client);  // registration follows the queue and the state
    void close_client(Client& client, std::optional<Reason> reason);
    double next_timeout() const;
    void expire_leavers();

    const Options& options_;
    std::unique_ptr<tulip::Selector> selector_;
    std::vector<char> buffer_;  // one receive buffer for every client: an idle client holds none
    tulip::Socket listener_;
    tulip::Socket signals_;
    Source listening_{&ChatServer::accept};
    Source console_source_{&ChatServer::read_console};
    Source signal_source_{&ChatServer::read_signal};
    Console console_;
    std::unordered_map<int, std::unique_ptr<Client>> clients_;  // by fd
    std::vector<std::unique_ptr<Client>> closed_;               // freed once this round's events are handled
    std::size_t leavers_ = 0;
    std::optional<Clock::time_point> accept_paused_until_;
    bool stop_requested_ = false;
};

void ChatServer::start() {
    listener_ = open_listener(options_);
    selector_->add(listener_, tulip::EVENT_READ, &listening_);
    signals_ = open_signalfd();
    selector_->add(signals_, tulip::EVENT_READ, &signal_source_);
    if (stdin_is_watchable()) selector_->add(STDIN_FILENO, tulip::EVENT_READ, &console_source_);
    const tulip::Address address = listener_.getsockname();
    say("Listening on " + address.to_string());
    say("Connect with: nc " + address.host() + " " + std::to_string(address.port()) +
        "   (from several terminals; type quit here, or Ctrl-C, to stop)");
}

void ChatServer::serve_forever() {
    while (!stop_requested_) {
        for (const tulip::Ready& ready : selector_->select(next_timeout())) {
            auto& source = *static_cast<Source*>(ready.key.data);
            if (source.closed) continue;  // closed earlier in this round
            (this->*source.callback)(source, ready.events);
            if (stop_requested_) break;
        }
        expire_leavers();
        if (accept_paused_until_ && Clock::now() >= *accept_paused_until_) {
            accept_paused_until_.reset();
            selector_->add(listener_, tulip::EVENT_READ, &listening_);
        }
        closed_.clear();
    }
}

void ChatServer::stop() {
    // The seed's stop(): everything get_map() lists is unregistered and closed.
    // A client first gets what the socket takes of its queue (no waiting).
    for (const tulip::SelectorKey& key : selector_->get_map()) {
        selector_->remove(key.fd);
        const auto it = clients_.find(key.fd);
        if (it == clients_.end()) continue;  // the listener, the console, the signals
        Client& client = *it->second;
        try {
            client.outbox.send_some(client.sock);
        } catch (const tulip::OSError&) {
            // It is gone already: nothing to deliver.
        }
        if (!client.leaving) say_left(client.name, Reason::server_stop);
        client.sock.close();
    }
    clients_.clear();
    listener_.close();
    signals_.close();
    selector_->close();
    say("Server stopped");
}

void ChatServer::accept(Source&, Events) {
    for (int i = 0; i < 64; ++i) {  // a burst of connections, but not forever
        try {
            auto [conn, peer] = listener_.accept();
            conn.setblocking(false);
            const int fd = conn.fileno();
            auto client = std::make_unique<Client>(std::move(conn), sender_name(peer), options_.max_line);
            client->interest = tulip::EVENT_READ;
            selector_->add(fd, tulip::EVENT_READ, client.get());
            say(client->name + " joined");
            clients_[fd] = std::move(client);
        } catch (const tulip::BlockingIOError&) {
            return;
        } catch (const tulip::OSError& e) {
            if (!tulip::accept_error_is_shortage(e.errno_value())) continue;  // that one connection
            // Out of descriptors: the listener stays readable, so accepting again at
            // once would spin. Pause a quarter second; the clients we have go on.
            say(std::string("accept: ") + e.what() + "; pausing accepts for 0.25 s");
            selector_->remove(listener_);
            accept_paused_until_ = Clock::now() + std::chrono::milliseconds(250);
            return;
        }
    }
}

void ChatServer::handle(Source& source, Events mask) {
    auto& client = static_cast<Client&>(source);
    if (mask & tulip::EVENT_READ) receive(client);
    if (!client.closed && (mask & tulip::EVENT_WRITE)) send_queued(client);
    if (!client.closed) settle(client);
}

void ChatServer::receive(Client& client) {
    std::size_t n = 0;
    try {
        n = client.sock.recv_into(buffer_);
    } catch (const tulip::BlockingIOError&) {
        return;
    } catch (const tulip::OSError&) {
        return close_client(client, Reason::reset);
    }
    if (n == 0) {
        client.eof = true;
        if (client.leaving) return;
        // The seed broadcasts whatever a recv() brought; a last line without "\n" too.
        const std::string rest = client.lines.take_rest();
        if (!rest.empty()) broadcast(client, strip_line_end(rest));
        if (!client.closed) leave(client, Reason::eof);
        return;
    }
    if (client.leaving) return;  // lingering: input is read and dropped
    const bool fits = client.lines.feed(std::string_view(buffer_.data(), n), [&](std::string_view line) {
        if (client.leaving || client.closed) return;  // lines after "quit" are not for anyone
        if (is_quit(line)) return leave(client, Reason::quit);
        broadcast(client, line);
    });
    if (!fits && !client.leaving && !client.closed) {
        // Told after what was queued for it before; it is its last message.
        client.outbox.push(std::make_shared<const std::string>(line_too_long(options_.max_line)));
        leave(client, Reason::too_long);
    }
}

void ChatServer::send_queued(Client& client) {
    try {
        client.outbox.send_some(client.sock);
    } catch (const tulip::OSError&) {
        close_client(client, Reason::reset);
    }
}

void ChatServer::broadcast(Client& sender, std::string_view line) {
    const Message message = format_message(sender.name, line);
    if (!options_.quiet) say(std::string_view(*message).substr(0, message->size() - 1));
    std::vector<Client*> too_slow;
    for (auto& [fd, client] : clients_) {
        if (client->leaving) continue;
        if (client->outbox.bytes() + message->size() > options_.max_queue) {
            too_slow.push_back(client.get());  // not now: that would change clients_ under us
            continue;
        }
        client->outbox.push(message);
        settle(*client);
    }
    for (Client* client : too_slow) close_client(*client, Reason::too_slow);
}

void ChatServer::leave(Client& client, Reason reason) {
    say_left(client.name, reason);
    client.leaving = true;
    client.deadline = Clock::now() + linger_time;
    ++leavers_;
    settle(client);
}

void ChatServer::settle(Client& client) {
    if (client.leaving && client.outbox.empty()) {
        if (!client.shut_down) {
            client.shut_down = true;
            try {
                client.sock.shutdown(SHUT_WR);  // our EOF, after everything queued
            } catch (const tulip::OSError&) {
                return close_client(client, std::nullopt);
            }
        }
        if (client.eof) return close_client(client, std::nullopt);
    }
    const Events wanted = (client.eof ? 0 : tulip::EVENT_READ) | (client.outbox.empty() ? 0 : tulip::EVENT_WRITE);
    if (wanted == client.interest) return;
    client.interest = wanted;
    selector_->modify(client.sock, wanted, &client);
}

// Unregisters and closes now. `reason` is logged if the client was not leaving already.
void ChatServer::close_client(Client& client, std::optional<Reason> reason) {
    if (client.leaving) {
        --leavers_;
    } else if (reason) {
        say_left(client.name, *reason);
    }
    if (reason == Reason::too_slow || reason == Reason::reset) {
        // Dropped, not closed politely: a reset frees the kernel's copy of the
        // backlog at once instead of trickling it to a client that does not read.
        const linger abort_now{1, 0};
        client.sock.setsockopt(SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    }
    client.closed = true;
    client.leaving = false;
    selector_->remove(client.sock);
    const int fd = client.sock.fileno();
    client.sock.close();
    auto node = clients_.extract(fd);
    closed_.push_back(std::move(node.mapped()));
}

double ChatServer::next_timeout() const {
    std::optional<Clock::time_point> next = accept_paused_until_;
    if (leavers_ > 0) {
        for (const auto& [fd, client] : clients_) {
            if (client->leaving && (!next || client->deadline < *next)) next = client->deadline;
        }
    }
    if (!next) return -1;  // nothing to time: block until an event
    return std::max(0.0, std::chrono::duration<double>(*next - Clock::now()).count());
}

void ChatServer::expire_leavers() {
    if (leavers_ == 0) return;
    const auto now = Clock::now();
    std::vector<Client*> expired;
    for (const auto& [fd, client] : clients_) {
        if (client->leaving && client->deadline <= now) expired.push_back(client.get());
    }
    for (Client* client : expired) close_client(*client, std::nullopt);
}

void ChatServer::read_console(Source&, Events) {
    char data[1024];
    const ssize_t n = ::read(STDIN_FILENO, data, sizeof data);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        selector_->remove(STDIN_FILENO);  // no more commands; signals still stop the server
        return;
    }
    if (console_.feed(std::string_view(data, static_cast<std::size_t>(n)))) {
        say("quit: stopping");
        stop_requested_ = true;
    }
}

void ChatServer::read_signal(Source&, Events) {
    signalfd_siginfo info{};
    if (::read(signals_.fileno(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return;
    say(std::string(info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM") + ": stopping");
    stop_requested_ = true;
}

}  // namespace

int serve_selectors(const Options& options) {
    ChatServer server(options);
    server.start();
    server.serve_forever();
    server.stop();
    return 0;
}

}  // namespace chat
