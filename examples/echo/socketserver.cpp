#include "echo/socketserver.hpp"

#include <sys/socket.h>

#include "echo/server.hpp"
#include "tulip/errors.hpp"

namespace echo {

void BaseRequestHandler::run() {
    setup();
    try {
        handle();
    } catch (...) {
        finish();
        throw;
    }
    finish();
}

void ThreadingTCPServer::serve_forever() {
    while (!shutdown_requested_.load()) {
        std::optional<Accepted> client;
        try {
            // No StopSignal here: whoever shut the listener down (our shutdown()
            // or the program's stop) makes accept() throw, and that ends serving.
            client = examples::accept_client(listener_, nullptr);
        } catch (const tulip::OSError&) {
            break;  // the listening socket was shut down (or is otherwise dead)
        }
        if (!client) continue;
        // process_request(): one thread per request; the handler lives in it.
        auto handler = handler_factory_(std::move(client->conn), client->address, *this);
        threads_.start([handler = std::move(handler)] { handler->run(); });
    }
    threads_.join();
}

void ThreadingTCPServer::shutdown() {
    shutdown_requested_.store(true);
    ::shutdown(listener_.fileno(), SHUT_RDWR);
}

}  // namespace echo
