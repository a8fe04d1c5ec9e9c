#include "poetry/options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace poetry {
namespace {

CLI::Validator target_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            try {
                parse_target(text);
                return {};
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
        },
        "[HOST:]PORT");
}

void parse_or_exit(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        std::exit(app.exit(e));  // --help: 0; a bad argument: its message and non-zero
    }
}

void add_style(CLI::App& app, std::string& style) {
    const std::vector<std::string> names(std::begin(styles), std::end(styles));
    app.add_option("--style", style, "blocking, selectors, loop or protocol")->required()->check(CLI::IsMember(names));
}

}  // namespace

std::string Target::display() const {
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

Target parse_target(std::string_view text) {
    Target target{"127.0.0.1", 0};
    std::string_view port = text;
    if (!text.empty() && text.front() == '[') {  // [v6]:port
        const auto close = text.find("]:");
        if (close == std::string_view::npos) {
            throw std::invalid_argument(fmt::format("Expected [HOST]:PORT, got '{}'", text));
        }
        target.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        target.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    }
    if (target.host.empty()) throw std::invalid_argument(fmt::format("No host before ':' in '{}'", text));
    const bool digits = !port.empty() && port.size() <= 5 &&
                        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) throw std::invalid_argument(fmt::format("Ports must be integers: '{}'", text));
    const int number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) {
        throw std::invalid_argument(fmt::format("Port out of range 1-65535: '{}'", text));
    }
    target.port = static_cast<std::uint16_t>(number);
    return target;
}

ServerOptions parse_server_options(int argc, char** argv) {
    ServerOptions options;
    CLI::App app{
        "This is the Slow Poetry Server (seed 003): it sends a poem to every client,\n"
        "--num-bytes at a time, --delay seconds apart. Run it like this:\n\n"
        "  poetry-server --style loop examples/poetry/poems/ozymandias.txt"};
    add_style(app, options.style);
    int port = 0;
    app.add_option("-p,--port", port, "The port to listen on. Default to a random available port.")
        ->check(CLI::Range(0, 65535));
    app.add_option("--iface", options.iface, "The interface to listen on.")->capture_default_str();
    app.add_option("--delay", options.delay, "The number of seconds between sending bytes.")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    app.add_option("--num-bytes", options.num_bytes, "The number of bytes to send at a time.")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
    app.add_option("poetry_file", options.poetry_file, "The poem to serve")->required()->check(CLI::ExistingFile);
    parse_or_exit(app, argc, argv);
    options.port = static_cast<std::uint16_t>(port);
    return options;
}

ClientOptions parse_client_options(int argc, char** argv) {
    ClientOptions options;
    CLI::App app{
        "This is the Get Poetry Now! client (seed 003): it downloads a poem from each\n"
        "server and saves it as PORT.txt. Run it like this:\n\n"
        "  poetry-client --style selectors 10000 10001 127.0.0.1:10002"};
    add_style(app, options.style);
    app.add_option("--out-dir", options.out_dir, "Where the PORT.txt files go")
        ->capture_default_str()
        ->check(CLI::ExistingDirectory);
    std::vector<std::string> addresses;
    app.add_option("address", addresses, "[HOST:]PORT of a poetry server (HOST: 127.0.0.1)")
        ->required()
        ->check(target_validator());
    parse_or_exit(app, argc, argv);
    for (const std::string& a : addresses) options.targets.push_back(parse_target(a));
    return options;
}

}  // namespace poetry
