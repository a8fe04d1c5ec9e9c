#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "sys/syscalls.hpp"
#include "tulip/net/accept_errors.hpp"
#include "transports/server_state.hpp"
#include "transports/socket_transport.hpp"
#include "tulip/coro/coro.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace {
// After EMFILE/ENFILE the server stops accepting this long, then tries again
// (asyncio waits 1 s; shorter here so service resumes soon after fds free up).
constexpr double accept_retry_delay = 0.25;
}  // namespace

ServerState::ServerState(EventLoop& loop, std::vector<Socket> sockets, ProtocolFactory factory, int backlog)
    : loop_(loop), sockets_(std::move(sockets)), nodes_(sockets_.size()), factory_(std::move(factory)),
      backlog_(backlog) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        nodes_[i].server = this;
        nodes_[i].index = i;
        nodes_[i].tcp = sockets_[i].family() != AF_UNIX;
    }
}

ServerState::~ServerState() = default;

void ServerState::AcceptNode::run() {
    Ref<ServerState> hold(server);
    server->release();  // the armed node's reference
    server->accept_ready(index);
}

void ServerState::AcceptNode::on_accept(int res, bool last) {
    Ref<ServerState> hold(server);
    if (last) {
        live = false;
        server->release();  // the running op's reference
    }
    server->accept_completed(index, res, last);
}

void ServerState::arm(std::size_t index) {
    retain();
    loop_.wait_io(sockets_[index].fileno(), EVENT_READ, &nodes_[index]);
}

void ServerState::start_accepting(std::size_t index) {
    AcceptNode& node = nodes_[index];
    if (loop_.start_accept(sockets_[index].fileno(), &node)) {
        node.completion = node.live = true;
        retain();
    } else {
        arm(index);
    }
}

// With `detach` nothing more reaches the node (connections accepted meanwhile are
// closed by the loop); without, the rest still come, then a `last`.
void ServerState::stop_completion(std::size_t index, bool detach) noexcept {
    AcceptNode& node = nodes_[index];
    if (!node.live) return;
    loop_.stop_accept(sockets_[index].fileno(), detach);
    if (detach) {
        node.live = false;
        release();
    }
}

void ServerState::start_serving() {
    if (serving_ || closed_) return;
    serving_ = true;
    for (std::size_t i = 0; i < sockets_.size(); ++i) start_accepting(i);
}

void ServerState::accept_ready(std::size_t index) {
    if (!serving_ || accept_paused_) return;
    Socket& listener = sockets_[index];
    // Up to backlog connections per wake-up (as asyncio), then let others run.
    for (int i = 0; i < backlog_; ++i) {
        if (closed_) return;  // a protocol factory closed the server: `listener` is gone
        int fd = sys::accept(listener.fileno(), nullptr, nullptr, SOCK_NONBLOCK);
        if (fd >= 0) {
            connection_accepted(fd, nodes_[index].tcp);
            continue;
        }
        if (sys::would_block(fd)) return arm(index);
        accept_failed(index, -fd);
        if (accept_paused_) return;
    }
    retain();
    loop_.schedule(&nodes_[index]);
}

// What the kernel accepted for a completion node. An op that ended (an error, or
// the stop of a pause now over) starts again; a pause restarts it on its timer.
void ServerState::accept_completed(std::size_t index, int res, bool last) {
    if (res >= 0) {
        if (closed_) {
            sys::close(res);
        } else {
            connection_accepted(res, nodes_[index].tcp);
        }
    } else if (res != -ECANCELED && !closed_) {
        accept_failed(index, -res);
    }
    if (last && serving_ && !accept_paused_ && !closed_) start_accepting(index);
}

void ServerState::connection_accepted(int fd, bool tcp) {
    Socket conn = Socket::adopt(fd, 0.0);
    try {
        SocketTransport::create(loop_, std::move(conn), factory_(), tcp, this);
    } catch (...) {
        loop_.call_exception_handler(
            {"Error in the protocol factory; connection closed", std::current_exception(), "<Server>"});
    }
}

// Out of descriptors or memory: pause. An error that concerns only that
// connection (accept(2): treat network errors like EAGAIN): go on. Anything else
// is reported, and accepting goes on too.
void ServerState::accept_failed(std::size_t index, int err) {
    if (accept_error_is_shortage(err)) return pause_accepting(err);
    if (accept_error_is_transient(err)) return;
    loop_.call_exception_handler({fmt::format("accept failed: [Errno {}] {}", err, std::strerror(err)), nullptr,
                                  sockets_[index].getsockname().to_string()});
}

// Out of descriptors: stop accepting for a moment instead of spinning on a
// listening socket that stays readable. Existing connections are untouched;
// one log line per server. serving_ stays true (is_serving() as asyncio; and
// start_serving() during the pause must not arm the nodes a second time).
void ServerState::pause_accepting(int err) {
    if (accept_paused_) return;  // another listening socket hit it too: one timer restarts all
    if (!logged_fd_exhaustion_) {
        logged_fd_exhaustion_ = true;
        loop_.call_exception_handler({fmt::format("accept: [Errno {}] {}; accepting paused, retrying every {} s", err,
                                                  std::strerror(err), accept_retry_delay),
                                      nullptr, "<Server>"});
    }
    accept_paused_ = true;
    // Completion accepts stop; what the kernel accepted meanwhile still comes.
    for (std::size_t i = 0; i < sockets_.size(); ++i) stop_completion(i, false);
    Ref<ServerState> hold(this);
    accept_retry_ = loop_.call_later(accept_retry_delay, [hold] {
        ServerState* self = hold.get();
        self->accept_paused_ = false;
        if (self->closed_ || !self->serving_) return;
        // Try every listener now: those still armed are taken off the loop first,
        // so that no node is both waiting and queued (each holds one reference).
        // A completion node whose stop has not ended yet restarts at its `last`.
        for (std::size_t i = 0; i < self->sockets_.size(); ++i) {
            AcceptNode& node = self->nodes_[i];
            if (node.completion) {
                if (!node.live) self->start_accepting(i);
                continue;
            }
            if (self->loop_.cancel_io(self->sockets_[i].fileno(), EVENT_READ, &node)) self->release();
            if (node.queued) continue;
            self->retain();
            self->loop_.schedule(&node);
        }
    });
}

void ServerState::close() {
    if (closed_) return;
    Ref<ServerState> hold(this);  // the nodes' references go here
    closed_ = true;
    serving_ = false;
    accept_retry_.cancel();
    for (std::size_t i = 0; i < sockets_.size(); ++i) {
        if (loop_.cancel_io(sockets_[i].fileno(), EVENT_READ, &nodes_[i])) release();
        stop_completion(i, true);  // before the socket closes: the request holds its file
    }
    for (Socket& s : sockets_) s.close();
    sockets_.clear();  // Server.sockets is empty once closed (asyncio); queued nodes check serving_ first
    maybe_finish_closing();
}

// A connection keeps its server alive (asyncio's transport holds _server): the
// Server handle may go before the connections it made, which detach later.
void ServerState::attach(SocketTransport* t) {
    t->server_index_ = static_cast<std::uint32_t>(connections_.size());  // fewer than fds
    connections_.push_back(t);
    retain();
}

void ServerState::detach(SocketTransport* t) noexcept {
    std::size_t i = t->server_index_;
    connections_[i] = connections_.back();
    connections_[i]->server_index_ = static_cast<std::uint32_t>(i);
    connections_.pop_back();
    maybe_finish_closing();
    release();  // may delete this
}

template <class F>
void ServerState::for_each_connection(F&& f) {
    // A copy: closing a connection may detach it while we iterate.
    std::vector<Ref<BaseTransport>> all;
    all.reserve(connections_.size());
    for (SocketTransport* t : connections_) all.emplace_back(t);
    for (auto& t : all) f(static_cast<Transport&>(*t));
}

Future<void> ServerState::closed() {
    Future<void> f(loop_);
    if (closed_ && connections_.empty()) {
        f.set_result();
    } else {
        closed_waiters_.push_back(f);
    }
    return f;
}

void ServerState::maybe_finish_closing() {
    if (!closed_ || !connections_.empty()) return;
    for (Future<void>& f : std::exchange(closed_waiters_, {})) {
        if (!f.done()) f.set_result();
    }
}

// ---- Server: the public handle ----

Server::Server(Ref<ServerState> state) noexcept : state_(std::move(state)) {}
Server::~Server() = default;
Server::Server(const Server&) = default;
Server& Server::operator=(const Server&) = default;
Server::Server(Server&&) noexcept = default;
Server& Server::operator=(Server&&) noexcept = default;

void Server::close() { state_->close(); }
void Server::close_clients() {
    state_->for_each_connection([](Transport& t) { t.close(); });
}
void Server::abort_clients() {
    state_->for_each_connection([](Transport& t) { t.abort(); });
}
void Server::start_serving() { state_->start_serving(); }
bool Server::is_serving() const noexcept { return state_->is_serving(); }
const std::vector<Socket>& Server::sockets() const noexcept { return state_->sockets(); }
EventLoop& Server::get_loop() const noexcept { return state_->loop(); }

Coro<void> Server::wait_closed() {
    Future<void> closed = state_->closed();
    co_await closed;
}

Coro<void> Server::serve_forever() {
    if (state_->is_serving() == false) state_->start_serving();
    Future<void> forever(state_->loop());
    std::exception_ptr cancelled;
    try {
        co_await forever;  // only a cancellation ends this
    } catch (const CancelledError&) {
        cancelled = std::current_exception();  // no co_await inside a handler
    }
    close();
    co_await wait_closed();
    std::rethrow_exception(cancelled);
}

}  // namespace tulip
