#include "poetry/download.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "poetry/say.hpp"
#include "tulip/net/getaddrinfo.hpp"

namespace poetry {

void Download::start() {
    say(fmt::format("Task {}: get poetry from: {}", task_, target_.display()));
    file_.open(path_, std::ios::binary | std::ios::trunc);
    if (!file_) throw std::runtime_error("Cannot write " + path_);
    started_ = std::chrono::steady_clock::now();
}

void Download::received(std::string_view data) {
    file_.write(data.data(), static_cast<std::streamsize>(data.size()));
    bytes_ += data.size();
}

double Download::finish() {
    const double elapsed = seconds_since(started_);
    file_.close();
    if (!file_) {
        fail("cannot write " + path_);
        return elapsed;
    }
    ok_ = true;
    say(fmt::format("Task {}: got {} bytes of poetry from {} in {}", task_, bytes_, target_.display(),
                    format_timedelta(elapsed)));
    return elapsed;
}

void Download::fail(std::string_view why) {
    if (file_.is_open()) file_.close();
    ok_ = false;
    std::fprintf(stderr, "Task %zu: failed to get poetry from %s: %.*s\n", task_, target_.display().c_str(),
                 static_cast<int>(why.size()), why.data());
}

std::optional<tulip::Socket> connect_download(Download& download) {
    download.start();
    tulip::Socket sock;
    try {
        sock = tulip::create_connection(download.target().host, download.target().port);
        sock.sendall(request);
    } catch (const tulip::OSError& e) {
        download.fail(e.what());
        return std::nullopt;
    }
    sock.setblocking(false);
    return sock;
}

std::vector<Download> plan_downloads(const ClientOptions& options) {
    std::vector<Download> downloads;
    std::map<std::uint16_t, int> seen;
    for (const Target& target : options.targets) {
        const int n = ++seen[target.port];
        const std::string name = n == 1 ? fmt::format("{}.txt", target.port) : fmt::format("{}-{}.txt", target.port, n);
        downloads.emplace_back(downloads.size() + 1, target, options.out_dir + "/" + name);
    }
    return downloads;
}

std::string format_timedelta(double seconds) {
    const auto micros = static_cast<long long>(std::llround(seconds * 1e6));
    const long long whole = micros / 1000000, fraction = micros % 1000000;
    std::string text = fmt::format("{}:{:02}:{:02}", whole / 3600, whole / 60 % 60, whole % 60);
    if (fraction != 0) text += fmt::format(".{:06}", fraction);
    return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace poetry
