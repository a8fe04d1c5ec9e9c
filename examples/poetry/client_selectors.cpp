// The Get Poetry Now! client, selectors edition (seed 003, "异步诗歌获取客户端"):
// connect to every server, register each socket for EVENT_READ with its
// callback in key.data, and write what arrives to PORT.txt. All the poems come
// in together, so the whole run takes about as long as the slowest one.
//
// Not copied from the seed: its loop never ends (`while True`, and select()
// with nothing registered fails); here it ends when the last poem is in.
// Each piece received is answered with a `poems` request (download.hpp).
#include <memory>
#include <optional>

#include "poetry/clients.hpp"
#include "tulip/net.hpp"
#include "tulip/selectors.hpp"

namespace poetry {
namespace {

class SelectorClient {
public:
    SelectorClient() : sel_(tulip::DefaultSelector()) {}

    void connect(Download& download);  // the seed's connect() + register()
    void run() {
        while (active_ > 0) {
            for (const tulip::Ready& ready : sel_->select()) {
                auto& channel = *static_cast<Channel*>(ready.key.data);
                (this->*channel.callback)(channel);
            }
        }
    }

private:
    struct Channel;
    using Callback = void (SelectorClient::*)(Channel&);
    struct Channel {  // what key.data points to
        Callback callback;
        Download& download;
        tulip::Socket sock;
    };

    void download_poetry(Channel& channel);
    void done(Channel& channel);  // unregister and close

    std::unique_ptr<tulip::Selector> sel_;
    std::vector<std::unique_ptr<Channel>> channels_;
    std::size_t active_ = 0;
};

void SelectorClient::connect(Download& download) {
    std::optional<tulip::Socket> sock = connect_download(download);
    if (!sock) return;
    auto& channel = *channels_.emplace_back(
        std::make_unique<Channel>(Channel{&SelectorClient::download_poetry, download, std::move(*sock)}));
    sel_->add(channel.sock, tulip::EVENT_READ, &channel);
    ++active_;
}

void SelectorClient::download_poetry(Channel& channel) {
    receive_piece(channel.download, channel.sock, [&] { done(channel); });
}

void SelectorClient::done(Channel& channel) {
    sel_->remove(channel.sock);  // unregister first, as the seed
    channel.sock.close();
    --active_;
}

}  // namespace

double get_poetry_selectors(std::vector<Download>& downloads) {
    const auto start = std::chrono::steady_clock::now();
    SelectorClient client;
    for (Download& download : downloads) client.connect(download);
    client.run();
    return seconds_since(start);
}

}  // namespace poetry
