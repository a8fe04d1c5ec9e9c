// s15 protocol: the echo server one layer up, in the callback style seed 003
// ports its slow-poetry server to (asyncio.Protocol + loop.create_server): the
// loop accepts, makes a transport and an EchoProtocol per connection, and calls
// connection_made -> data_received* -> eof_received -> connection_lost. Echoing
// is `transport.write(data)` in data_received: written at once, and what the
// socket does not take is buffered by the transport and sent on writability.
// Flow control: when a client does not read its echoes and the transport's
// buffer passes its high-water mark (pause_writing), the protocol stops reading
// that client (pause_reading) until the buffer drains (resume_writing), so a
// client's unread echoes never grow past the mark.
// No seed writes an echo server this way; it speaks as seed 001's listing 3.8
// ("Got a connection from ('127.0.0.1', 5000)", the bytes echoed as they came),
// or, with --plain, not at all. Ctrl-C or SIGTERM closes the server, then every
// connection (serve_until_signal), and the program exits 0.
#include <any>
#include <memory>

#include "echo/loop_models.hpp"
#include "tulip/transports.hpp"

namespace echo {
namespace {

class EchoProtocol final : public tulip::Protocol {
public:
    explicit EchoProtocol(const LoopServer& server) : server_(server) {}

    void connection_made(tulip::Transport& transport) override {
        transport_ = &transport;
        say_connected(server_, peer());
    }
    void data_received(std::string_view data) override { transport_->write(data); }
    void pause_writing() override { transport_->pause_reading(); }
    void resume_writing() override { transport_->resume_reading(); }
    void connection_lost(std::exception_ptr error) override {
        if (error) say_failed(peer(), error);
    }

private:
    // Asked of the transport, which keeps it (also after a reset), rather than
    // copied here: an idle connection's protocol stays three pointers.
    tulip::Address peer() const { return std::any_cast<tulip::Address>(transport_->get_extra_info("peername")); }

    const LoopServer& server_;
    tulip::Transport* transport_ = nullptr;  // valid from connection_made to connection_lost
};

tulip::Coro<void> main_protocol(const LoopServer& server) {
    tulip::EventLoop& loop = tulip::get_running_loop();
    tulip::EventLoop::ProtocolFactory factory = [&server] { return std::make_unique<EchoProtocol>(server); };
    tulip::Server echo_server =
        co_await loop.create_server(std::move(factory), server.options.host, server.options.port);
    co_await serve_until_signal(std::move(echo_server));
}

}  // namespace

void serve_protocol(const LoopServer& server) {
    tulip::run(main_protocol(server));
}

}  // namespace echo
