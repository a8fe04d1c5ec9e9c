// streams/stream_reader: StreamReader, asyncio.StreamReader — the bytes a
// connection received, read with coroutines (read, readline, readexactly,
// readuntil). A StreamReaderProtocol feeds it; it pauses the transport's reading
// when more than 2 * limit bytes wait and resumes it once a read brings them
// down to the limit, so a peer that sends faster than the reader reads is held
// back by TCP instead of filling memory.
//
// A StreamReader is a handle to shared state: copies read the same stream (so it
// can be passed into tasks). Only one coroutine may wait for data at a time
// (RuntimeError otherwise, as in asyncio). Loop thread only.
#pragma once

#include <cstddef>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/ref.hpp"
#include "tulip/streams/errors.hpp"
#include "tulip/streams/stream_read.hpp"

namespace tulip {

class Transport;

class StreamReader {
public:
    static constexpr std::size_t default_limit = 64 * 1024;  // asyncio's _DEFAULT_LIMIT

    // The limit bounds a line (readline, readuntil) and is half the buffer bound.
    // ValueError if it is 0 ("Limit cannot be <= 0").
    explicit StreamReader(std::size_t limit = default_limit);
    ~StreamReader();
    StreamReader(const StreamReader&) noexcept;
    StreamReader& operator=(const StreamReader&) noexcept;
    StreamReader(StreamReader&&) noexcept;
    StreamReader& operator=(StreamReader&&) noexcept;

    // Up to n bytes, as soon as at least one is buffered ("" at EOF). n < 0 reads
    // to EOF; n == 0 returns "" at once. Awaited like a coroutine; it is one where
    // needed (a StreamRead converts to Coro<std::string>: stream_read.hpp).
    StreamRead read(std::ptrdiff_t n = -1);
    // Up to and including "\n"; at EOF what is left (maybe ""). Past the limit:
    // ValueError, after dropping the line if its "\n" is buffered, else the
    // whole buffer (asyncio's readline, which turns LimitOverrunError into ValueError).
    Coro<std::string> readline();
    // Exactly n bytes, or IncompleteReadError(partial, n) at EOF (the buffer is
    // emptied into `partial`). ValueError if n < 0.
    Coro<std::string> readexactly(std::ptrdiff_t n);
    // Up to and including `separator`. IncompleteReadError(partial, nullopt) at EOF
    // (the buffer is emptied into it); LimitOverrunError if the data before the
    // separator exceeds the limit (the data stays buffered). ValueError if empty.
    Coro<std::string> readuntil(std::string_view separator = "\n");
    // Several separators (Python 3.13's tuple): the shortest result that ends with
    // any of them wins. ValueError if the list or one separator is empty.
    Coro<std::string> readuntil(std::vector<std::string> separators);
    Coro<std::string> readuntil(std::initializer_list<std::string_view> separators);

    // True once feed_eof was called and the buffer is empty.
    bool at_eof() const noexcept;
    // The error the connection ended with (null if none): every read raises it.
    std::exception_ptr exception() const noexcept;
    void set_exception(std::exception_ptr error);

    // ---- The protocol's side (asyncio's feed_data, feed_eof, set_transport) ----
    void feed_data(std::string_view data);
    void feed_eof();
    // The transport whose reading is paused and resumed; nullptr detaches it
    // (StreamReaderProtocol does at connection_lost).
    void set_transport(Transport* transport) noexcept;

    std::size_t limit() const noexcept;
    // Not in asyncio, for tests and monitoring: the bytes waiting to be read, and
    // the memory the buffer holds for them (0 when idle).
    std::size_t buffer_size() const noexcept;
    std::size_t buffer_capacity() const noexcept;

private:
    friend class StreamWriter;  // keeps the state, for drain()'s error check
    Ref<StreamReaderState> state_;
};

}  // namespace tulip
