// transports/server_state: the inside of a Server — one accept node per
// listening socket, the connections it made, and who waits for it to close.
// A node accepts by readiness (a wait, then accept() until EAGAIN), or, where the
// loop has them (io_uring), by completion: the kernel accepts and posts each fd.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tulip/coro/future.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/transports/server.hpp"

namespace tulip {

class SocketTransport;

class ServerState {
public:
    ServerState(EventLoop& loop, std::vector<Socket> sockets, ProtocolFactory factory, int backlog);
    ~ServerState();

    void start_serving();
    bool is_serving() const noexcept { return serving_; }
    void close();
    template <class F>
    void for_each_connection(F&& f);
    const std::vector<Socket>& sockets() const noexcept { return sockets_; }
    EventLoop& loop() const noexcept { return loop_; }
    // Done once the server is closed and its last connection is gone.
    Future<void> closed();

    void attach(SocketTransport* t);
    void detach(SocketTransport* t) noexcept;

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }

private:
    // Accepts on one listening socket whenever it is readable, or takes what the
    // kernel accepted for it.
    struct AcceptNode final : ReadyNode, EventLoop::AcceptHandler {
        ServerState* server = nullptr;
        std::size_t index = 0;  // which listening socket
        bool tcp = true;        // TCP (not Unix): accepted sockets get TCP_NODELAY
        bool completion = false;  // accepts by completion (io_uring), not readiness
        bool live = false;        // its completion accept runs (holds a reference) until `last`
        void run() override;
        void on_accept(int res, bool last) override;
        std::string describe() const override { return "<Server accept>"; }
    };

    void accept_ready(std::size_t index);
    void accept_completed(std::size_t index, int res, bool last);
    void connection_accepted(int fd, bool tcp);  // both paths: fd becomes a transport
    void accept_failed(std::size_t index, int err);  // both paths
    void arm(std::size_t index);
    void start_accepting(std::size_t index);  // by completion, else by readiness
    void stop_completion(std::size_t index, bool detach) noexcept;
    void pause_accepting(int err);
    void maybe_finish_closing();

    EventLoop& loop_;
    std::vector<Socket> sockets_;
    std::vector<AcceptNode> nodes_;
    ProtocolFactory factory_;
    int backlog_;
    std::vector<SocketTransport*> connections_;
    std::vector<Future<void>> closed_waiters_;
    TimerHandle accept_retry_;  // while accepting is paused after EMFILE/ENFILE
    std::uint32_t refs_ = 0;
    bool serving_ = false;
    bool closed_ = false;
    bool accept_paused_ = false;  // out of descriptors: accept_retry_ restarts accepting
    bool logged_fd_exhaustion_ = false;
};

}  // namespace tulip
