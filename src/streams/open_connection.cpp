// open_connection / open_unix_connection: a StreamReaderProtocol over
// loop.create_connection, returned as a (reader, writer) pair.
#include "tulip/streams/open_connection.hpp"

#include <memory>

#include "tulip/streams/stream_protocol.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

namespace {

EventLoop::ProtocolFactory client_factory(const StreamReader& reader) {
    return [reader] { return std::make_unique<StreamReaderProtocol>(reader); };
}

std::pair<StreamReader, StreamWriter> make_streams(StreamReader reader, Ref<Transport> transport,
                                                   BaseProtocol* protocol) {
    StreamWriter writer(std::move(transport), static_cast<StreamReaderProtocol*>(protocol), reader);
    return {std::move(reader), std::move(writer)};
}

}  // namespace

Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port, std::size_t limit,
                                                            ConnectionOptions options) {
    EventLoop& loop = get_running_loop();
    StreamReader reader(limit);
    EventLoop::ProtocolFactory factory = client_factory(reader);
    auto [transport, protocol] = co_await loop.create_connection(std::move(factory), std::move(host), port, options);
    co_return make_streams(std::move(reader), std::move(transport), protocol);
}

Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path, std::size_t limit) {
    EventLoop& loop = get_running_loop();
    StreamReader reader(limit);
    EventLoop::ProtocolFactory factory = client_factory(reader);
    auto [transport, protocol] = co_await loop.create_unix_connection(std::move(factory), std::move(path));
    co_return make_streams(std::move(reader), std::move(transport), protocol);
}

}  // namespace tulip
