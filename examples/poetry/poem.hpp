// poetry/poem: the poem a server sends, and one client's progress through it:
// a Feed cuts the poem into --num-bytes chunks and remembers how much of the
// current chunk a non-blocking socket has taken so far.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tulip/net/socket.hpp"

namespace poetry {

// The whole file, read once at start-up (the seed reopens it per client; a
// poem is small, and a bad path is then reported before serving begins).
// Throws std::runtime_error naming the file.
std::string load_poem(const std::string& path);

class Feed {
public:
    Feed(std::string_view poem, std::size_t num_bytes) noexcept : rest_(poem), num_bytes_(num_bytes) {}

    // Every byte of the poem has been handed out (and, for send_some, sent).
    bool finished() const noexcept { return rest_.empty() && unsent_.empty(); }

    // The next chunk whole, for a sender that always sends whole chunks
    // (sendall, transport.write). "" once the poem is out.
    std::string_view next_chunk() noexcept;

    // For a non-blocking socket: sends what the kernel takes of the chunk in
    // progress, taking the next chunk first when none is. True once that chunk
    // has gone entirely (false: call again when the socket is writable). Throws
    // OSError when the client is gone.
    bool send_some(tulip::Socket& sock);

private:
    std::string_view rest_;    // not yet cut into a chunk
    std::string_view unsent_;  // the chunk in progress: what the socket has not taken yet
    std::size_t num_bytes_;
};

}  // namespace poetry
