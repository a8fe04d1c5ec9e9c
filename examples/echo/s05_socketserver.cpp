// s05 socketserver: seed 000's socketserver.ThreadingTCPServer with its
// ServiceHandler(BaseRequestHandler): handle() loops recv(1024) and replies
// "服务端收到, 你发的消息是: " + msg; finish() closes the request. The thread per
// request is the server's business (echo/socketserver.hpp), not the handler's.
//
// Not copied from the seed: handle() and finish() both close the request; here
// only finish() does. setup(), empty in the seed, registers the request with
// the stop signal, so a Ctrl-C wakes a handler blocked in recv(); finish()
// unregisters it before closing. send() becomes sendall().
#include <optional>

#include "echo/blocking_echo.hpp"
#include "echo/models.hpp"
#include "echo/socketserver.hpp"

namespace echo {
namespace {

// The server the handlers see as `server`: it carries what they need, as a
// Python socketserver subclass would carry attributes.
class EchoTCPServer : public ThreadingTCPServer {
public:
    EchoTCPServer(Server& server, HandlerFactory factory)
        : ThreadingTCPServer(server.listener, std::move(factory)),
          stop(server.stop),
          voice(Dialect::seed000_threaded, server.options.plain),
          bufsize(recv_size(server.options, 1024)) {}

    examples::StopSignal& stop;
    const Voice voice;
    const std::size_t bufsize;
};

class ServiceHandler : public BaseRequestHandler {
public:
    using BaseRequestHandler::BaseRequestHandler;

    void setup() override { watch_.emplace(echo_server().stop, request.fileno()); }

    void handle() override {
        echo_connection(request, client_address, echo_server().voice, echo_server().bufsize);
    }

    void finish() override {
        watch_.reset();  // unwatch before the descriptor is closed
        request.close();
    }

private:
    EchoTCPServer& echo_server() { return static_cast<EchoTCPServer&>(server); }

    std::optional<examples::StopSignal::Watch> watch_;
};

}  // namespace

void serve_socketserver(Server& server) {
    EchoTCPServer tcp_server(server, ThreadingTCPServer::handler_class<ServiceHandler>());
    tcp_server.serve_forever();  // returns when the stop shuts the listener down
}

}  // namespace echo
