// StreamWriter: the transport's write side, drain() and wait_closed().
#include "tulip/streams/stream_writer.hpp"

#include "streams/reader_state.hpp"
#include "tulip/coro/sleep.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/streams/stream_protocol.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

// drain() and wait_closed() hold a copy of the writer (and so the transport).
namespace {

Coro<void> drain_impl(StreamWriter w, StreamReaderProtocol* protocol, Ref<StreamReaderState> reader) {
    if (reader) reader->check_exception();
    // A closing transport: let connection_lost run first, so that a loop of
    // write(); drain() on a dead connection sees the error instead of spinning.
    if (w.is_closing()) co_await sleep(0);
    co_await protocol->drain_helper();
}

Coro<void> wait_closed_impl([[maybe_unused]] StreamWriter keep, StreamReaderProtocol* protocol) {
    if (!protocol->closed()) co_await protocol->wait_closed();
    if (const std::exception_ptr& error = protocol->closed_error()) std::rethrow_exception(error);
}

}  // namespace

StreamWriter::StreamWriter(Ref<Transport> transport, StreamReaderProtocol* protocol,
                           std::optional<StreamReader> reader)
    : transport_(std::move(transport)), protocol_(protocol), reader_(reader ? reader->state_ : Ref<StreamReaderState>()) {
    ++protocol_->writers_;
}

StreamWriter::StreamWriter(const StreamWriter& other) noexcept
    : transport_(other.transport_), protocol_(other.protocol_), reader_(other.reader_) {
    if (transport_) ++protocol_->writers_;
}

StreamWriter::StreamWriter(StreamWriter&& other) noexcept
    : transport_(std::move(other.transport_)), protocol_(other.protocol_), reader_(std::move(other.reader_)) {}

StreamWriter& StreamWriter::operator=(const StreamWriter& other) noexcept {
    if (this != &other) *this = StreamWriter(other);
    return *this;
}

StreamWriter& StreamWriter::operator=(StreamWriter&& other) noexcept {
    if (this != &other) {
        drop();
        transport_ = std::move(other.transport_);
        protocol_ = other.protocol_;
        reader_ = std::move(other.reader_);
    }
    return *this;
}

StreamWriter::~StreamWriter() { drop(); }

// The last writer is gone: nobody can close the connection any more, so close
// it now (asyncio's StreamWriter.__del__ does, when the collector runs).
void StreamWriter::drop() noexcept {
    if (!transport_) return;
    Ref<Transport> transport = std::move(transport_);  // dropped last: the protocol lives as long
    if (--protocol_->writers_ != 0) return;
    try {
        if (!transport->is_closing() && !transport->get_loop().is_closed()) transport->close();
    } catch (...) {
        transport->get_loop().call_exception_handler(
            {"closing an unreferenced StreamWriter failed", std::current_exception(), "<StreamWriter>"});
    }
}

Transport& StreamWriter::transport() const noexcept { return *transport_; }
void StreamWriter::write(std::string_view data) { transport_->write(data); }
void StreamWriter::writelines(const std::vector<std::string_view>& lines) { transport_->writelines(lines); }
void StreamWriter::write_eof() { transport_->write_eof(); }
bool StreamWriter::can_write_eof() const noexcept { return transport_->can_write_eof(); }
void StreamWriter::close() { transport_->close(); }
bool StreamWriter::is_closing() const noexcept { return transport_->is_closing(); }
Coro<void> StreamWriter::wait_closed() { return wait_closed_impl(*this, protocol_); }
std::any StreamWriter::get_extra_info(std::string_view name) const { return transport_->get_extra_info(name); }
Coro<void> StreamWriter::drain() { return drain_impl(*this, protocol_, reader_); }

}  // namespace tulip
