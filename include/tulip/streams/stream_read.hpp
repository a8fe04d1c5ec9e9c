// streams/stream_read: what StreamReader::read(n) returns. Awaited, read(n) for
// n >= 0 runs in the awaiting coroutine's frame: it takes what is buffered, or
// waits once for data first (asyncio's read does not wait twice: if another
// reader took the bytes meanwhile, it returns ""). An idle streams handler
// waits here, so this is what each idle connection keeps (56 bytes) where a
// coroutine frame of its own took 192. read() to EOF loops, so it is a
// coroutine inside. Either way it converts to a Coro<std::string> (CoroForm) for
// create_task, wait_for, gather and the rest. Lazy, like a coroutine: nothing is
// read until it is awaited. Loop thread only.
#pragma once

#include <coroutine>
#include <cstddef>
#include <string>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/ref.hpp"
#include "tulip/streams/data_awaiter.hpp"

namespace tulip {

class StreamReaderState;

class [[nodiscard]] StreamRead {
public:
    using coro_type = Coro<std::string>;

    // Movable until awaited (wait_for and timeout take it by value); a move
    // makes a new DataAwaiter, which is only linked to the state while waiting.
    StreamRead(StreamRead&& other) noexcept;
    StreamRead& operator=(StreamRead&&) = delete;
    ~StreamRead();

    bool await_ready();
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> h);
    std::string await_resume();

    // The same read as a coroutine of its own (not started).
    operator Coro<std::string>() &&;

private:
    friend class StreamReader;
    // n >= 0; `to_eof` is set for read(-1), and then n is unused.
    StreamRead(Ref<StreamReaderState> state, std::size_t n, Coro<std::string> to_eof = {});
    static Coro<std::string> as_coro(Ref<StreamReaderState> state, std::size_t n);

    Ref<StreamReaderState> state_;  // before wait_, which points into it
    std::size_t n_;
    Coro<std::string> to_eof_;
    DataAwaiter wait_;
};

}  // namespace tulip
