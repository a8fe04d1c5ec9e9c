// streams/stream_protocol: StreamReaderProtocol, asyncio's adapter between a
// transport and a StreamReader: data_received feeds the reader, eof_received
// and connection_lost end it. Server side, connection_made also makes the
// StreamWriter and starts the client-connected coroutine as a task (kept alive
// until it ends; if it fails or is cancelled, the transport is closed).
// Loop thread only.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "tulip/coro/coro.hpp"
#include "tulip/coro/event.hpp"
#include "tulip/coro/future_base.hpp"
#include "tulip/coro/ref.hpp"
#include "tulip/streams/flow_control.hpp"
#include "tulip/streams/stream_reader.hpp"

namespace tulip {

class StreamWriter;

// start_server's callback: a coroutine per connection.
using ClientConnectedCallback = std::function<Coro<void>(StreamReader, StreamWriter)>;

class StreamReaderProtocol : public FlowControlMixin {
public:
    // `client_connected` is set on the server side only.
    explicit StreamReaderProtocol(StreamReader reader,
                                  std::shared_ptr<const ClientConnectedCallback> client_connected = nullptr);
    ~StreamReaderProtocol() override;

    void connection_made(Transport& transport) override;
    void data_received(std::string_view data) override;
    // Feeds EOF to the reader and keeps the transport open for writing (half-close).
    bool eof_received() override;
    void connection_lost(std::exception_ptr error) override;

    // For StreamWriter::wait_closed: true once connection_lost was called, and its error.
    bool closed() const noexcept { return closed_; }
    const std::exception_ptr& closed_error() const noexcept { return closed_error_; }
    EventAwaiter wait_closed() noexcept { return closed_event_.wait(); }

private:
    friend class StreamWriter;  // counts its copies in writers_

    // Watches the client-connected task from the task's own list of waiters
    // rather than through a done callback, which would cost every connection two
    // heap blocks (the callback vector and the std::function's capture, ~96 B).
    // Its `task` is the task while linked to it (notify runs instead of a wake-up).
    struct TaskWatch final : FutureBase::Waiter {
        Ref<Transport> transport;  // kept until the task ends, as asyncio's callback keeps it
    };
    static void on_task_done(FutureBase::Waiter* watch) noexcept;

    std::optional<StreamReader> reader_;  // dropped at connection_lost (asyncio keeps a weakref)
    std::shared_ptr<const ClientConnectedCallback> client_connected_;
    Event closed_event_;
    std::exception_ptr closed_error_;
    bool closed_ = false;
    std::uint32_t writers_ = 0;  // StreamWriter copies of this connection (in closed_'s padding)
    TaskWatch task_watch_;
};

}  // namespace tulip
