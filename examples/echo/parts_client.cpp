// parts-client: seed 004's client.py: two sockets to one server; the message
// "This is the message. It will be sent in parts." goes out in four parts,
// alternating between the sockets, and after each part the socket that sent
// it prints the reply, in the seed's words:
//   connecting to 127.0.0.1 port 8001
//   ('127.0.0.1', 50442): sending b'This is '
//   ('127.0.0.1', 50442): received b"Server received b'This is '"
// Run it against `echo-server --model select` (or poll) to see the seed's run.
//
// Not copied from the seed: a socket that got b'' (the server closed it) is
// closed and skipped afterwards, where the seed would use it closed; send()
// becomes sendall().
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/pyrepr.hpp"
#include "tulip/errors.hpp"
#include "tulip/net.hpp"

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    CLI::App app{"Seed 004's client: one message sent in parts over two sockets."};
    app.add_option("--host", host, "Server address")->capture_default_str();
    app.add_option("--port", port, "Server port")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    constexpr std::array<std::string_view, 4> messages = {"This is ", "the message. ",
                                                          "It will be sent ", "in parts."};
    using examples::address_repr;
    using examples::bytes_repr;
    try {
        fmt::print("connecting to {} port {}\n", host, port);
        std::array<tulip::Socket, 2> socks = {tulip::create_connection(host, port),
                                              tulip::create_connection(host, port)};
        for (std::size_t index = 0; index < messages.size(); ++index) {
            const std::size_t is_odd = index % 2;  // even parts on socket 0, odd on socket 1
            tulip::Socket& s = socks[is_odd];
            if (!s) continue;
            const std::string name = address_repr(s.getsockname());
            fmt::print("{}: sending {}\n", name, bytes_repr(messages[index]));
            s.sendall(messages[index]);
            const std::string data = s.recv(1024);
            fmt::print("{}: received {}\n", name, bytes_repr(data));
            if (data.empty()) s.close();
        }
    } catch (const tulip::OSError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "parts-client: %s\n", e.what());
        return 1;
    }
    return 0;
}
