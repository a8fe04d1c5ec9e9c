// The Get Poetry Now! client, protocol edition (seed 003, "配套的获取诗歌客户端"):
// loop.create_connection with a Protocol per server. connection_made sends
// `poems`, data_received writes the piece to PORT.txt and asks again, and
// eof_received (the server's write_eof) closes the file.
//
// Not copied from the seed: its run_forever never returns; here the last
// connection_lost stops the loop. A connection that fails, or is lost before
// EOF, fails its task and the others go on.
#include <fmt/format.h>

#include <any>
#include <memory>

#include "common/pyrepr.hpp"
#include "poetry/clients.hpp"
#include "poetry/say.hpp"
#include "tulip/coro.hpp"
#include "tulip/errors.hpp"
#include "tulip/loop.hpp"
#include "tulip/transports.hpp"

namespace poetry {
namespace {

// How many connections are open, and whether all of them have been made: the
// loop stops when the last one is lost after that (and not in between, which
// would end run_until_complete(create_connection) early).
struct Progress {
    tulip::EventLoop& loop;
    std::size_t open = 0;
    bool connecting = true;
    void lost() {
        if (--open == 0 && !connecting) loop.stop();
    }
};

class PoetryClientProtocol : public tulip::Protocol {
public:
    PoetryClientProtocol(Download& download, Progress& progress) : download_(download), progress_(progress) {}

    void connection_made(tulip::Transport& transport) override {
        transport_ = &transport;
        ++progress_.open;
        const auto peer = std::any_cast<tulip::Address>(transport.get_extra_info("peername"));
        say(fmt::format("Connected to {}", examples::address_repr(peer)));  // print(peername)
        transport.write(request);
    }

    void data_received(std::string_view data) override {
        download_.received(data);
        transport_->write(request);
    }

    bool eof_received() override {
        download_.finish();
        finished_ = true;
        return false;  // close our side too
    }

    void connection_lost(std::exception_ptr error) override {
        if (!finished_) download_.fail(error ? tulip::describe_exception(error) : "connection closed before EOF");
        progress_.lost();
    }

private:
    Download& download_;
    Progress& progress_;
    tulip::Transport* transport_ = nullptr;
    bool finished_ = false;
};

}  // namespace

double get_poetry_protocol(std::vector<Download>& downloads) {
    const auto start = std::chrono::steady_clock::now();
    tulip::EventLoop loop;
    Progress progress{loop};
    for (Download& download : downloads) {
        download.start();
        auto factory = [&download, &progress] { return std::make_unique<PoetryClientProtocol>(download, progress); };
        try {
            const Target& target = download.target();
            loop.run_until_complete(loop.create_connection(factory, target.host, target.port));
        } catch (const tulip::OSError& e) {
            download.fail(e.what());
        }
    }
    progress.connecting = false;
    if (progress.open > 0) loop.run_forever();
    loop.run_until_complete(loop.shutdown_default_executor());  // create_connection resolved names there
    loop.close();
    return seconds_since(start);
}

}  // namespace poetry
