// The Get Poetry Now! client, event loop edition (seed 003, "事件驱动诗歌获取客户端"):
// the selectors client with the loop owning the `while True`: loop.add_reader
// per socket, remove_reader at EOF, and loop.stop() once the last poem is in
// (the seed's run_forever never returns). Each piece received is answered
// with a `poems` request (download.hpp).
#include <memory>
#include <optional>

#include "poetry/clients.hpp"
#include "tulip/loop.hpp"
#include "tulip/net.hpp"

namespace poetry {
namespace {

class LoopClient {
public:
    explicit LoopClient(tulip::EventLoop& loop) : loop_(loop) {}

    void connect(Download& download);
    bool active() const noexcept { return active_ > 0; }

private:
    struct Channel {
        Download& download;
        tulip::Socket sock;
    };

    void download_poetry(Channel& channel);  // the reader
    void done(Channel& channel);             // remove_reader, close; the last one stops the loop

    tulip::EventLoop& loop_;
    std::vector<std::unique_ptr<Channel>> channels_;
    std::size_t active_ = 0;
};

void LoopClient::connect(Download& download) {
    std::optional<tulip::Socket> sock = connect_download(download);
    if (!sock) return;
    Channel* channel = channels_.emplace_back(std::make_unique<Channel>(Channel{download, std::move(*sock)})).get();
    loop_.add_reader(channel->sock.fileno(), [this, channel] { download_poetry(*channel); });
    ++active_;
}

void LoopClient::download_poetry(Channel& channel) {
    receive_piece(channel.download, channel.sock, [&] { done(channel); });
}

void LoopClient::done(Channel& channel) {
    loop_.remove_reader(channel.sock.fileno());
    channel.sock.close();
    if (--active_ == 0) loop_.stop();
}

}  // namespace

double get_poetry_loop(std::vector<Download>& downloads) {
    const auto start = std::chrono::steady_clock::now();
    tulip::EventLoop loop;
    {
        LoopClient client(loop);
        for (Download& download : downloads) client.connect(download);
        if (client.active()) loop.run_forever();
    }
    loop.close();
    return seconds_since(start);
}

}  // namespace poetry
