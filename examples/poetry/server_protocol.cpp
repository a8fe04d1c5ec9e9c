// The Slow Poetry Server, protocol edition (seed 003, "基于协议的网络编程"):
// loop.create_server with a Protocol per client. The client asks with `poems`
// and the server answers with the next chunk; after the last chunk it calls
// transport.write_eof().
//
// Not copied from the seed: it compares each data_received() with b'poems',
// but TCP keeps no message boundaries (two requests may arrive as one read,
// or one in two pieces), so requests are counted in the byte stream instead.
// Each answer goes --delay seconds after its request (loop.call_later: the
// seed's version has no --delay and answers at once; --delay 0 does that),
// which makes this server as slow as the others. Requests after write_eof
// are dropped; SIGINT/SIGTERM stop the loop and close every connection.
#include <any>
#include <csignal>
#include <memory>
#include <string>

#include "poetry/poem.hpp"
#include "poetry/say.hpp"
#include "poetry/server.hpp"
#include "tulip/coro.hpp"
#include "tulip/loop.hpp"
#include "tulip/transports.hpp"

namespace poetry {
namespace {

class PoetryServeProtocol : public tulip::Protocol {
public:
    PoetryServeProtocol(const Server& server, tulip::EventLoop& loop)
        : loop_(loop), delay_(server.options.delay), feed_(server.poem, server.options.num_bytes) {}

    void connection_made(tulip::Transport& transport) override {
        transport_ = &transport;
        greet(std::any_cast<tulip::Address>(transport.get_extra_info("peername")));
    }

    void data_received(std::string_view data) override {
        if (eof_sent_) return;
        unparsed_ += data;
        for (std::size_t at; (at = unparsed_.find(request)) != std::string::npos;) {
            ++requests_;
            unparsed_.erase(0, at + request.size());
        }
        // Keep only what may be the start of a request split across reads.
        if (unparsed_.size() >= request.size()) unparsed_.erase(0, unparsed_.size() - request.size() + 1);
        if (requests_ > 0 && !answer_) schedule_answer();
    }

    void connection_lost(std::exception_ptr error) override {
        answer_.cancel();  // the protocol goes with its transport: no timer may outlive it
        if (error) say_sending_stopped(tulip::describe_exception(error));
    }

private:
    void schedule_answer() {
        answer_ = loop_.call_later(delay_, [this] { answer(); });
    }

    void answer() {
        answer_ = {};
        --requests_;
        const std::string_view chunk = feed_.next_chunk();
        if (chunk.empty()) {
            transport_->write_eof();  // the client reads EOF; it closes, and so do we
            eof_sent_ = true;
            say("sending complete");
            return;
        }
        transport_->write(chunk);
        if (requests_ > 0) schedule_answer();
    }

    tulip::EventLoop& loop_;
    const double delay_;
    Feed feed_;
    tulip::Transport* transport_ = nullptr;
    std::string unparsed_;       // bytes that may begin a request
    std::size_t requests_ = 0;   // asked for and not yet answered
    tulip::TimerHandle answer_;  // the next answer, while one is scheduled
    bool eof_sent_ = false;
};

}  // namespace

void serve_protocol(Server& server) {
    tulip::EventLoop loop;
    for (const int sig : {SIGINT, SIGTERM}) loop.add_signal_handler(sig, [&loop] { loop.stop(); });
    server.announce();  // listening already: a client that comes now waits in the backlog
    auto factory = [&server, &loop] { return std::make_unique<PoetryServeProtocol>(server, loop); };
    tulip::Server poetry = loop.run_until_complete(loop.create_server(factory, std::move(server.listener)));
    loop.run_forever();
    poetry.close();
    poetry.abort_clients();
    loop.run_until_complete(poetry.wait_closed());
    loop.close();
}

}  // namespace poetry
