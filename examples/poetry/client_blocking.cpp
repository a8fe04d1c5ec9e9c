// The Get Poetry Now! client, blocking edition (seed 003, "获取诗歌客户端"):
// one server after another, each poem printed as it arrives; the total is the
// sum of the downloads. With slow servers it takes as long as all of them
// together: the lesson the concurrent styles answer.
//
// Beside the seed: the poem is also saved as PORT.txt, like the other styles;
// the client asks for each chunk with `poems` (download.hpp); a server that
// cannot be reached fails its task and the others go on (the seed dies).
#include <cstdio>

#include "poetry/clients.hpp"
#include "tulip/errors.hpp"
#include "tulip/net.hpp"

namespace poetry {

double get_poetry_blocking(std::vector<Download>& downloads) {
    double elapsed = 0;
    for (Download& download : downloads) {
        download.start();
        try {
            tulip::Socket sock = tulip::create_connection(download.target().host, download.target().port);
            sock.sendall(request);
            for (;;) {
                const std::string data = sock.recv(1024);
                if (data.empty()) break;
                std::fwrite(data.data(), 1, data.size(), stdout);  // print(data.decode(), end='')
                std::fflush(stdout);
                download.received(data);
                sock.sendall(request);
            }
            elapsed += download.finish();
        } catch (const tulip::OSError& e) {
            download.fail(e.what());
        }
    }
    return elapsed;
}

}  // namespace poetry
