// streams/stream_writer: StreamWriter, asyncio.StreamWriter — a transport's
// write side plus drain(), which waits while the transport's buffer is above
// its high-water mark (until it falls to the low one), and wait_closed().
//
// A handle: copies write to the same connection. When the last copy goes, the
// transport is closed if it is not closing already (asyncio's
// StreamWriter.__del__, here deterministic); the protocol, which lives as long
// as the transport each copy keeps, counts the copies, so a writer has no
// block of its own. Loop thread only.
#pragma once

#include <any>
#include <optional>
#include <string_view>
#include <vector>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/ref.hpp"
#include "tulip/streams/stream_reader.hpp"

namespace tulip {

class Transport;
class StreamReaderProtocol;
class StreamReaderState;

class StreamWriter {
public:
    // `protocol` is the transport's protocol (it lives as long as the transport);
    // `reader`, if given, is checked by drain() for a connection error.
    StreamWriter(Ref<Transport> transport, StreamReaderProtocol* protocol, std::optional<StreamReader> reader);
    ~StreamWriter();
    StreamWriter(const StreamWriter&) noexcept;
    StreamWriter& operator=(const StreamWriter&) noexcept;
    StreamWriter(StreamWriter&&) noexcept;
    StreamWriter& operator=(StreamWriter&&) noexcept;

    Transport& transport() const noexcept;
    // Sends now what the socket takes and buffers the rest: follow with drain().
    void write(std::string_view data);
    void writelines(const std::vector<std::string_view>& lines);
    void write_eof();
    bool can_write_eof() const noexcept;
    void close();
    bool is_closing() const noexcept;
    // Waits for connection_lost; raises the error the connection ended with, if any.
    Coro<void> wait_closed();
    // As the transport's (an empty std::any for an unknown name: Python's default None).
    std::any get_extra_info(std::string_view name) const;
    // Flow control: returns at once unless the transport paused writing, then waits
    // until it resumes. Raises the reader's error if the connection failed, the
    // connection's error if it is lost while waiting, and ConnectionResetError
    // ("Connection lost") once it is lost.
    Coro<void> drain();

private:
    void drop() noexcept;  // the last copy closes the transport

    Ref<Transport> transport_;  // null once moved from
    StreamReaderProtocol* protocol_;
    Ref<StreamReaderState> reader_;  // null if none was given
};

}  // namespace tulip
