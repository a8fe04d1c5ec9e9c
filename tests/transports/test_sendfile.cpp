// transports: loop.sendfile — after what write() buffered, the file's bytes
// arrive exactly, by sendfile(2) or by the read+write fallback.
#include <fcntl.h>
#include <unistd.h>

#include "sys/fault.hpp"
#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

class Sendfile : public TransportTest {};

// A temporary file holding `content`, removed (and closed) at the end of the scope.
class TempFile {
public:
    explicit TempFile(const std::string& content) {
        char name[] = "/tmp/tulip-tport-sendfile-XXXXXX";
        fd_ = ::mkstemp(name);
        path_ = name;
        EXPECT_GE(fd_, 0);
        EXPECT_EQ(::write(fd_, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::string path_;
};

struct Sent {
    std::size_t whole = 0, part = 0, past_end = 0;
    bool write_refused = false;
};

// header (through the write buffer) + whole file + 5000 bytes from offset 1000
// + an offset past the end (nothing) + trailer, then EOF.
Coro<void> send_file(Log& server_log, int fd, const std::string& header, Sent& sent) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server([&] { return std::make_unique<Recorder>(server_log); },
                                                "127.0.0.1", 0);
    Log client_log;
    auto [transport, protocol] = co_await loop.create_connection(
        [&] { return std::make_unique<Recorder>(client_log); }, "127.0.0.1", port_of(server));
    transport->write(header);  // bigger than the socket takes: sendfile must wait for it
    EXPECT_GT(transport->get_write_buffer_size(), 0u);

    Task<std::size_t> whole = loop.create_task(loop.sendfile(*transport, fd));
    co_await sleep(0);
    try {
        transport->write("in the middle");  // asyncio: RuntimeError while sendfile runs
    } catch (const RuntimeError&) {
        sent.write_refused = true;
    }
    sent.whole = co_await whole;
    sent.part = co_await loop.sendfile(*transport, fd, 1000, 5000);
    sent.past_end = co_await loop.sendfile(*transport, fd, std::size_t{1} << 40);
    transport->write("trailer");
    transport->write_eof();
    co_await server_log.eof.wait();
    transport->close();
    co_await client_log.lost.wait();
    co_await server_log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

void check_sendfile(bool fallback) {
    std::string content = pattern(5 << 20, 21);
    std::string header = pattern(4 << 20, 22);
    TempFile file(content);
    sys::fault::Scope faults;
    // Fallback: every sendfile(2) fails with EINVAL. Native: a rule that never
    // fires, so that the calls are counted.
    sys::fault::Rule rule{.call = sys::fault::Call::sendfile, .error = EINVAL, .times = 0};
    if (!fallback) rule.skip = std::uint64_t{1} << 60;
    sys::fault::inject(rule);
    Log server_log;
    Sent sent;
    run_bounded(send_file(server_log, file.fd(), header, sent));
    EXPECT_TRUE(sent.write_refused);
    EXPECT_EQ(sent.whole, content.size());
    EXPECT_EQ(sent.part, 5000u);
    EXPECT_EQ(sent.past_end, 0u);
    std::string expected = header + content + content.substr(1000, 5000) + "trailer";
    EXPECT_EQ(server_log.data.size(), expected.size());
    EXPECT_TRUE(server_log.data == expected);
    EXPECT_GT(sys::fault::calls(sys::fault::Call::sendfile), 0u);
    EXPECT_EQ(sys::fault::faults() > 0, fallback);
}

TEST_F(Sendfile, FileArrivesByteExact) { check_sendfile(false); }

TEST_F(Sendfile, ReadWriteFallbackWhenSendfileRefusesTheFile) { check_sendfile(true); }

Coro<void> closing_transport(int fd) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server(echo_factory(), "127.0.0.1", 0);
    Log log;
    auto [transport, protocol] = co_await loop.create_connection(
        [&] { return std::make_unique<Recorder>(log); }, "127.0.0.1", port_of(server));
    transport->close();
    bool refused = false;
    try {
        co_await loop.sendfile(*transport, fd);
    } catch (const RuntimeError&) {
        refused = true;
    }
    EXPECT_TRUE(refused);
    co_await log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

TEST_F(Sendfile, RefusedOnAClosingTransport) {
    TempFile file("abc");
    run_bounded(closing_transport(file.fd()));
}

}  // namespace
}  // namespace tulip::transport_test
