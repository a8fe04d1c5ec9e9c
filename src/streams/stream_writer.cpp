// StreamWriter: the transport's write side, drain() and wait_closed().
#include "tulip/streams/stream_writer.hpp"

#include "tulip/coro/sleep.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/streams/stream_protocol.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

class StreamWriterState {
public:
    StreamWriterState(Ref<Transport> t, StreamReaderProtocol* p, std::optional<StreamReader> r) noexcept
        : transport(std::move(t)), protocol(p), reader(std::move(r)) {}
    StreamWriterState(const StreamWriterState&) = delete;
    StreamWriterState& operator=(const StreamWriterState&) = delete;
    // The last writer is gone: nobody can close the connection any more, so close
    // it now (asyncio's StreamWriter.__del__ does, when the collector runs).
    ~StreamWriterState() {
        try {
            if (!transport->is_closing() && !transport->get_loop().is_closed()) transport->close();
        } catch (...) {
            transport->get_loop().call_exception_handler(
                {"closing an unreferenced StreamWriter failed", std::current_exception(), "<StreamWriter>"});
        }
    }

    void retain() noexcept { ++refs; }
    void release() noexcept {
        if (--refs == 0) delete this;
    }

    Ref<Transport> transport;
    StreamReaderProtocol* protocol;  // owned by the transport, which we keep alive
    std::optional<StreamReader> reader;
    std::uint32_t refs = 0;
};

namespace {

using StateRef = Ref<StreamWriterState>;

Coro<void> drain_impl(StateRef s) {
    if (s->reader) {
        if (std::exception_ptr error = s->reader->exception()) std::rethrow_exception(error);
    }
    // A closing transport: let connection_lost run first, so that a loop of
    // write(); drain() on a dead connection sees the error instead of spinning.
    if (s->transport->is_closing()) co_await sleep(0);
    co_await s->protocol->drain_helper();
}

Coro<void> wait_closed_impl(StateRef s) {
    if (!s->protocol->closed()) co_await s->protocol->wait_closed();
    if (const std::exception_ptr& error = s->protocol->closed_error()) std::rethrow_exception(error);
}

}  // namespace

StreamWriter::StreamWriter(Ref<Transport> transport, StreamReaderProtocol* protocol,
                           std::optional<StreamReader> reader)
    : state_(new StreamWriterState(std::move(transport), protocol, std::move(reader))) {}
StreamWriter::~StreamWriter() = default;
StreamWriter::StreamWriter(const StreamWriter&) noexcept = default;
StreamWriter& StreamWriter::operator=(const StreamWriter&) noexcept = default;
StreamWriter::StreamWriter(StreamWriter&&) noexcept = default;
StreamWriter& StreamWriter::operator=(StreamWriter&&) noexcept = default;

Transport& StreamWriter::transport() const noexcept { return *state_->transport; }
void StreamWriter::write(std::string_view data) { state_->transport->write(data); }
void StreamWriter::writelines(const std::vector<std::string_view>& lines) { state_->transport->writelines(lines); }
void StreamWriter::write_eof() { state_->transport->write_eof(); }
bool StreamWriter::can_write_eof() const noexcept { return state_->transport->can_write_eof(); }
void StreamWriter::close() { state_->transport->close(); }
bool StreamWriter::is_closing() const noexcept { return state_->transport->is_closing(); }
Coro<void> StreamWriter::wait_closed() { return wait_closed_impl(state_); }
std::any StreamWriter::get_extra_info(std::string_view name) const { return state_->transport->get_extra_info(name); }
Coro<void> StreamWriter::drain() { return drain_impl(state_); }

}  // namespace tulip
