// StreamReaderProtocol: feeds the reader; on the server side, starts the
// client-connected task and closes the connection if that task fails.
#include "tulip/streams/stream_protocol.hpp"

#include "tulip/coro/task.hpp"
#include "tulip/streams/stream_writer.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

StreamReaderProtocol::StreamReaderProtocol(StreamReader reader,
                                           std::shared_ptr<const ClientConnectedCallback> client_connected)
    : reader_(std::move(reader)), client_connected_(std::move(client_connected)) {}

void StreamReaderProtocol::connection_made(Transport& transport) {
    if (reader_) reader_->set_transport(&transport);
    if (!client_connected_ || !reader_) return;
    Ref<Transport> hold(&transport);
    StreamWriter writer(hold, this, reader_);
    Task<void> task = transport.get_loop().create_task((*client_connected_)(*reader_, std::move(writer)));
    // The task keeps itself alive until its coroutine ends (asyncio keeps it in
    // protocol._task); this callback reports how it ended. It also holds the
    // callback object, so that a coroutine lambda's captures outlive its task
    // even if the server and this connection are gone first.
    task.add_done_callback([hold, callable = client_connected_](const Task<void>& t) {
        if (t.cancelled()) {
            hold->close();
            return;
        }
        if (std::exception_ptr error = t.exception()) {
            hold->get_loop().call_exception_handler(
                {"Unhandled exception in client_connected_cb", error, "<StreamReaderProtocol>"});
            hold->close();
        }
    });
}

void StreamReaderProtocol::data_received(std::string_view data) {
    if (reader_) reader_->feed_data(data);
}

bool StreamReaderProtocol::eof_received() {
    if (reader_) reader_->feed_eof();
    return true;
}

void StreamReaderProtocol::connection_lost(std::exception_ptr error) {
    if (reader_) {
        if (error) {
            reader_->set_exception(error);
        } else {
            reader_->feed_eof();
        }
        reader_->set_transport(nullptr);  // the transport may go away after this call
        reader_.reset();
    }
    closed_ = true;
    closed_error_ = error;
    closed_event_.set();
    FlowControlMixin::connection_lost(std::move(error));
}

}  // namespace tulip
