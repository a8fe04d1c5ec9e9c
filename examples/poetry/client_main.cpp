// poetry-client: seed 003's Get Poetry Now! client in four styles, one file
// each: blocking, one server after another (client_blocking.cpp); selectors
// (client_selectors.cpp), loop.add_reader (client_loop.cpp) and Protocol +
// create_connection (client_protocol.cpp), all servers at once. Each poem is
// saved as <out-dir>/PORT.txt. Exit status 0 when every poem came whole.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>

#include "poetry/clients.hpp"
#include "poetry/say.hpp"

namespace {

struct Style {
    std::string_view name;
    double (*get_poetry)(std::vector<poetry::Download>&);
};

constexpr Style styles[] = {
    {"blocking", poetry::get_poetry_blocking},
    {"selectors", poetry::get_poetry_selectors},
    {"loop", poetry::get_poetry_loop},
    {"protocol", poetry::get_poetry_protocol},
};

}  // namespace

int main(int argc, char** argv) {
    const poetry::ClientOptions options = poetry::parse_client_options(argc, argv);
    const Style& style =
        *std::find_if(std::begin(styles), std::end(styles), [&](const Style& s) { return s.name == options.style; });
    try {
        std::vector<poetry::Download> downloads = poetry::plan_downloads(options);
        const double elapsed = style.get_poetry(downloads);
        const auto got = std::count_if(downloads.begin(), downloads.end(), [](const auto& d) { return d.ok(); });
        poetry::say(fmt::format("Got {} poems in {}", got, poetry::format_timedelta(elapsed)));
        return got == static_cast<long>(downloads.size()) ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "poetry-client: %s\n", e.what());
        return 1;
    }
}
