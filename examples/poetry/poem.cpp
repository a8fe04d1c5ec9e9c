#include "poetry/poem.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tulip/errors.hpp"

namespace poetry {

std::string load_poem(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("No such file: " + path);
    std::ostringstream poem;
    poem << in.rdbuf();
    if (in.bad()) throw std::runtime_error("Cannot read " + path);
    return std::move(poem).str();
}

std::string_view Feed::next_chunk() noexcept {
    const std::string_view chunk = rest_.substr(0, num_bytes_);
    rest_.remove_prefix(chunk.size());
    return chunk;
}

bool Feed::send_some(tulip::Socket& sock) {
    if (unsent_.empty()) unsent_ = next_chunk();
    try {
        unsent_.remove_prefix(sock.send(unsent_));
    } catch (const tulip::BlockingIOError&) {
        // Not writable after all: the caller waits for EVENT_WRITE again.
    }
    return unsent_.empty();
}

}  // namespace poetry
