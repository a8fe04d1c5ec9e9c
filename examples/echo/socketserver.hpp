// echo/socketserver: a small Python socketserver, enough for seed 000's
// ServiceHandler: ThreadingTCPServer runs each request in its own thread
// through a BaseRequestHandler subclass (setup, handle, finish), which sees
// `request` (the connected socket), `client_address` and `server`.
//
// Differences from Python's: the server is given an already bound, listening
// socket (Python binds it in __init__; here main() does, for every model
// alike). serve_forever() blocks in accept() instead of polling every 0.5 s;
// shutdown() (any thread) shuts the listening socket down to wake it, and
// serve_forever() also returns if anyone else does that. As Python's
// block_on_close, serve_forever() joins the request threads before returning.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "common/threads.hpp"
#include "tulip/net/address.hpp"
#include "tulip/net/socket.hpp"

namespace echo {

class ThreadingTCPServer;

class BaseRequestHandler {
public:
    BaseRequestHandler(tulip::Socket request, tulip::Address client_address,
                       ThreadingTCPServer& server)
        : request(std::move(request)), client_address(client_address), server(server) {}
    virtual ~BaseRequestHandler() = default;

    virtual void setup() {}   // before handle()
    virtual void handle() {}  // serves the request
    virtual void finish() {}  // after handle(), even if it threw

    // What Python's __init__ does: setup(), then handle(), then always finish().
    void run();

protected:
    tulip::Socket request;
    tulip::Address client_address;
    ThreadingTCPServer& server;
};

class ThreadingTCPServer {
public:
    using HandlerFactory = std::function<std::unique_ptr<BaseRequestHandler>(
        tulip::Socket, tulip::Address, ThreadingTCPServer&)>;

    // Python's RequestHandlerClass argument: ThreadingTCPServer(sock, handler_class<H>()).
    template <class Handler>
    static HandlerFactory handler_class() {
        return [](tulip::Socket request, tulip::Address address, ThreadingTCPServer& server) {
            return std::make_unique<Handler>(std::move(request), address, server);
        };
    }

    ThreadingTCPServer(tulip::Socket& listener, HandlerFactory handler_factory)
        : listener_(listener), handler_factory_(std::move(handler_factory)) {}
    virtual ~ThreadingTCPServer() = default;

    void serve_forever();
    void shutdown();

private:
    tulip::Socket& listener_;
    HandlerFactory handler_factory_;
    std::atomic<bool> shutdown_requested_{false};
    examples::Threads threads_;
};

}  // namespace echo
