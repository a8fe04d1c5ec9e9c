// poetry-server: seed 003's Slow Poetry Server in its four styles, one file
// each: blocking (server_blocking.cpp), selectors (server_selectors.cpp),
// loop add_reader/add_writer (server_loop.cpp) and Protocol + create_server
// (server_protocol.cpp). Each prints "Serving FILE on port N." when ready and
// exits 0 on SIGINT or SIGTERM.
#include <cstdio>
#include <exception>
#include <optional>

#include "common/stop_signal.hpp"
#include "poetry/poem.hpp"
#include "poetry/server.hpp"

namespace {

struct Style {
    std::string_view name;
    void (*serve)(poetry::Server&);
    bool has_loop;  // SIGINT/SIGTERM through loop.add_signal_handler, else StopSignal
};

constexpr Style served[] = {
    {"blocking", poetry::serve_blocking, false},
    {"selectors", poetry::serve_selectors, false},
    {"loop", poetry::serve_loop, true},
    {"protocol", poetry::serve_protocol, true},
};

}  // namespace

int main(int argc, char** argv) {
    const poetry::ServerOptions options = poetry::parse_server_options(argc, argv);
    const Style* style = nullptr;
    for (const Style& s : served) style = s.name == options.style ? &s : style;
    // Before any other thread exists, so that every thread has the signals blocked.
    std::optional<examples::StopSignal> stop;
    if (!style->has_loop) stop.emplace();
    try {
        const std::string poem = poetry::load_poem(options.poetry_file);
        tulip::Socket listener = poetry::open_listener(options);
        poetry::Server server{options, poem, listener, stop ? &*stop : nullptr};
        style->serve(server);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "poetry-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
