// asio_echo: standalone Asio (Debian's libasio-dev) with C++20 coroutines, the
// echo server of Asio's own examples: co_spawn a listener that co_awaits
// async_accept and co_spawns, per connection, a loop of async_read_some into a
// 64 KiB buffer and async_write of what came. One io_context, one thread
// (concurrency hint 1: no locking).
//   asio_echo PORT
#include <sys/resource.h>

#include <asio.hpp>
#include <cstdio>
#include <cstdlib>

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

awaitable<void> echo(tcp::socket socket) {
    try {
        char data[65536];
        for (;;) {
            const std::size_t n = co_await socket.async_read_some(asio::buffer(data), use_awaitable);
            co_await asio::async_write(socket, asio::buffer(data, n), use_awaitable);
        }
    } catch (const std::exception&) {  // EOF or reset: the connection ends
    }
}

awaitable<void> listener(tcp::acceptor& acceptor) {
    for (;;) {
        tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
        socket.set_option(tcp::no_delay(true));
        auto executor = acceptor.get_executor();
        asio::co_spawn(executor, echo(std::move(socket)), asio::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("usage: asio_echo PORT\n", stderr);
        return 64;
    }
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    asio::io_context ctx(1);
    const tcp::endpoint where(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1])));
    tcp::acceptor acceptor(ctx, where);
    acceptor.listen(asio::socket_base::max_listen_connections);
    std::printf("Listening on 127.0.0.1:%u\n", acceptor.local_endpoint().port());
    std::fflush(stdout);
    asio::co_spawn(ctx, listener(acceptor), asio::detached);
    ctx.run();
    return 0;
}
