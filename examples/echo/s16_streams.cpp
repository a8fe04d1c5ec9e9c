// s16 streams: the echo server at the top layer, as asyncio's documentation
// writes it: tulip::start_server runs handle_echo(reader, writer) as a task per
// connection; it reads what has arrived (up to 64 KiB: reader.read(65536)),
// writes it back and awaits writer.drain(), which waits while the transport's
// buffer is above its high-water mark, so a client that does not read its
// echoes stops being read. At EOF it closes the writer and awaits wait_closed().
// No seed writes an echo server this way; it speaks as seed 001's listing 3.8
// ("Got a connection from ('127.0.0.1', 5000)", the bytes echoed as they came),
// or, with --plain, not at all. A connection error (a client's reset) is
// reported on stderr. Ctrl-C or SIGTERM closes the server, then every
// connection (serve_until_signal), and the program exits 0.
#include <any>
#include <exception>
#include <utility>

#include "echo/loop_models.hpp"
#include "tulip/streams.hpp"

namespace echo {
namespace {

constexpr std::ptrdiff_t read_size = 64 * 1024;

tulip::Coro<void> handle_echo(tulip::StreamReader reader, tulip::StreamWriter writer, const LoopServer& server) {
    // The writer's transport keeps the peer (also after a reset): asked, not copied
    // into this frame, which every idle connection keeps.
    auto peer = [&writer] { return std::any_cast<tulip::Address>(writer.get_extra_info("peername")); };
    say_connected(server, peer());
    std::exception_ptr error;
    try {
        for (;;) {
            std::string data = co_await reader.read(read_size);
            if (data.empty()) break;  // EOF
            writer.write(data);
            co_await writer.drain();
        }
        writer.close();
        co_await writer.wait_closed();
    } catch (const std::exception&) {  // a CancelledError (server stopping) passes through
        error = std::current_exception();
    }
    if (error) say_failed(peer(), error);
}

tulip::Coro<void> main_streams(const LoopServer& server) {
    tulip::ClientConnectedCallback client_connected = [&server](tulip::StreamReader reader,
                                                                tulip::StreamWriter writer) {
        return handle_echo(std::move(reader), std::move(writer), server);
    };
    tulip::Server echo_server =
        co_await tulip::start_server(std::move(client_connected), server.options.host, server.options.port);
    co_await serve_until_signal(std::move(echo_server));
}

}  // namespace

void serve_streams(const LoopServer& server) {
    tulip::run(main_streams(server));
}

}  // namespace echo
