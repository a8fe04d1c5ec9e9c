// StreamReaderProtocol: feeds the reader; on the server side, starts the
// client-connected task and closes the connection if that task fails.
#include "tulip/streams/stream_protocol.hpp"

#include <utility>

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
    StreamWriter writer(Ref<Transport>(&transport), this, reader_);
    Task<void> task = transport.get_loop().create_task((*client_connected_)(*reader_, std::move(writer)));
    // The task keeps itself alive until its coroutine ends (asyncio keeps it in
    // protocol._task). The watch keeps the transport, and so this protocol with
    // the callback object (a coroutine lambda's captures), until then.
    task_watch_.transport = Ref<Transport>(&transport);
    task_watch_.task = task.state();
    task_watch_.notify = &StreamReaderProtocol::on_task_done;
    task.state()->add_waiter(&task_watch_);
}

StreamReaderProtocol::~StreamReaderProtocol() {
    if (task_watch_.task) task_watch_.task->future().remove_waiter(&task_watch_);  // set_protocol replaced us
}

// Reports how the task ended, from a loop callback as asyncio's done callback
// does: if it failed or was cancelled, the connection is closed.
void StreamReaderProtocol::on_task_done(FutureBase::Waiter* waiter) noexcept {
    auto& watch = *static_cast<TaskWatch*>(waiter);
    Ref<FutureBase> task(&std::exchange(watch.task, nullptr)->future());
    // Last use of `watch`: dropping the transport may end it with this protocol.
    Ref<Transport> transport = std::move(watch.transport);
    if (!task->cancelled() && !task->exception()) return;  // it returned: nothing to report
    auto report = [task, transport] {
        if (!task->cancelled()) {
            transport->get_loop().call_exception_handler(
                {"Unhandled exception in client_connected_cb", task->exception(), "<StreamReaderProtocol>"});
        }
        transport->close();
    };
    try {
        transport->get_loop().call_soon(std::move(report));
    } catch (...) {
        report();  // no memory for the callback: report now rather than never
    }
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
