// poetry/options: the command lines of seed 003's slow poetry programs.
// poetry-server --style S [-p PORT] [--iface HOST] [--delay S] [--num-bytes N] FILE
// poetry-client --style S [--out-dir DIR] [HOST:]PORT...
// Parsing fails with a message that names the bad value and exits non-zero,
// as argparse's parser.error does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace poetry {

// The four styles of seed 003, each in its own file (server_<style>.cpp, client_<style>.cpp).
inline constexpr std::string_view styles[] = {"blocking", "selectors", "loop", "protocol"};

// What a client sends to ask for the next chunk (the protocol style's wire format).
inline constexpr std::string_view request = "poems";

struct ServerOptions {
    std::string style;
    std::uint16_t port = 0;  // 0: a free port (the seed's "random available port")
    std::string iface = "127.0.0.1";
    double delay = 0.1;          // seconds between chunks
    std::size_t num_bytes = 20;  // bytes per chunk
    std::string poetry_file;
};

// One server to download from: "[HOST:]PORT", HOST 127.0.0.1 when absent.
struct Target {
    std::string host;
    std::uint16_t port = 0;
    std::string display() const;  // the seed's format_address: "127.0.0.1:10000", "[::1]:10000"
};

struct ClientOptions {
    std::string style;
    std::string out_dir = ".";
    std::vector<Target> targets;
};

// "10000", "127.0.0.1:10000", "localhost:10000", "[::1]:10000". Throws
// std::invalid_argument saying what is wrong ("Ports must be integers: 'x'").
Target parse_target(std::string_view text);

// Parse argv; on --help print it and exit 0, on an error print it and exit non-zero.
ServerOptions parse_server_options(int argc, char** argv);
ClientOptions parse_client_options(int argc, char** argv);

}  // namespace poetry
