// streams/open_connection: asyncio.open_connection and open_unix_connection —
// connect, and get the connection as a (StreamReader, StreamWriter) pair.
// Loop thread only (they use the running loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "tulip/coro/coro.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/streams/stream_reader.hpp"
#include "tulip/streams/stream_writer.hpp"

namespace tulip {

// Tries every address `host` resolves to, as loop.create_connection does.
Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port,
                                                            std::size_t limit = StreamReader::default_limit,
                                                            ConnectionOptions options = {});
Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path,
                                                                 std::size_t limit = StreamReader::default_limit);

}  // namespace tulip
