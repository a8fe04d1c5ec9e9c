// transports: writing faster than the peer reads (pause_writing/resume_writing),
// half-close with write_eof, and a peer that resets mid-write.
#include <signal.h>
#include <sys/socket.h>

#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

class FlowControl : public TransportTest {};

// Writes 1 MiB chunks while not paused, `total` bytes in all, then closes.
struct Producer : Protocol {
    struct Stats {
        std::vector<char> flow;  // 'P' for pause_writing, 'R' for resume_writing
        std::size_t max_buffered = 0;
        std::size_t written = 0;
        std::size_t high = 0;
    };
    static constexpr std::size_t chunk = 1 << 20;
    Stats& stats;
    std::size_t total;
    Transport* transport = nullptr;
    bool paused = false;
    Producer(Stats& s, std::size_t t) : stats(s), total(t) {}

    void connection_made(Transport& t) override {
        transport = &t;
        stats.high = t.get_write_buffer_limits().second;
        produce();
    }
    void produce() {
        while (!paused && stats.written < total) {
            std::string data(chunk, static_cast<char>('a' + stats.written / chunk % 26));
            transport->write(data);
            stats.written += chunk;
            stats.max_buffered = std::max(stats.max_buffered, transport->get_write_buffer_size());
        }
        if (stats.written >= total && !transport->is_closing()) transport->close();
    }
    void pause_writing() override {
        stats.flow.push_back('P');
        paused = true;
    }
    void resume_writing() override {
        stats.flow.push_back('R');
        paused = false;
        produce();
    }
};

// A slow reader: 64 KiB at a time with a pause between reads.
Coro<std::size_t> slow_reader(Producer::Stats& stats, std::size_t total, bool& content_ok) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server(
        [&] { return std::make_unique<Producer>(stats, total); }, "127.0.0.1", 0);
    Socket client(AF_INET);
    client.setblocking(false);
    co_await loop.sock_connect(client, server.sockets().at(0).getsockname());
    std::size_t received = 0;
    std::vector<char> buf(64 * 1024);
    content_ok = true;
    for (;;) {
        std::size_t n = co_await loop.sock_recv_into(client, buf);
        if (n == 0) break;
        for (std::size_t i = 0; i < n; ++i, ++received) {
            if (buf[i] != static_cast<char>('a' + received / Producer::chunk % 26)) content_ok = false;
        }
        co_await sleep(0.0002);
    }
    client.close();
    server.close();
    co_await server.wait_closed();
    co_return received;
}

TEST_F(FlowControl, PauseWritingKeepsTheBufferBounded) {
    Producer::Stats stats;
    const std::size_t total = 32 << 20;
    bool content_ok = false;
    std::size_t received = run_bounded(slow_reader(stats, total, content_ok));
    EXPECT_EQ(received, total);
    EXPECT_TRUE(content_ok);
    ASSERT_FALSE(stats.flow.empty());
    EXPECT_GE(stats.flow.size(), 2u);
    for (std::size_t i = 0; i < stats.flow.size(); ++i) {
        EXPECT_EQ(stats.flow[i], i % 2 == 0 ? 'P' : 'R') << "at " << i;  // strictly alternating
    }
    // Never more than the high-water mark plus the one write that crossed it.
    EXPECT_LE(stats.max_buffered, stats.high + Producer::chunk);
}

// Half-close: the client sends 1 MiB and write_eof; the server sees all of it,
// then eof_received once, replies with 2 MiB (keep_open) and closes.
Coro<void> half_close(Log& server_log, Log& client_log, const std::string& request, const std::string& reply) {
    EventLoop& loop = get_running_loop();
    Server server = co_await loop.create_server(
        [&] { return std::make_unique<Recorder>(server_log, true, reply); }, "127.0.0.1", 0);
    auto [transport, protocol] = co_await loop.create_connection(
        [&] { return std::make_unique<Recorder>(client_log); }, "127.0.0.1", port_of(server));
    EXPECT_TRUE(transport->can_write_eof());
    transport->write(request);
    transport->write_eof();
    co_await client_log.lost.wait();
    co_await server_log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

TEST_F(FlowControl, HalfCloseDeliversEverythingThenEofOnceThenTheReply) {
    Log server_log, client_log;
    std::string request = pattern(1 << 20, 11), reply = pattern(2 << 20, 12);
    run_bounded(half_close(server_log, client_log, request, reply));
    using Calls = std::vector<std::string>;
    EXPECT_EQ(server_log.calls, (Calls{"CM", "DR", "ER", "CL"}));
    EXPECT_EQ(server_log.eof_at, request.size());
    EXPECT_TRUE(server_log.data == request);
    EXPECT_EQ(client_log.calls, (Calls{"CM", "DR", "ER", "CL"}));
    EXPECT_EQ(client_log.data.size(), reply.size());
    EXPECT_TRUE(client_log.data == reply);
}

// The peer resets (SO_LINGER 0) while a 10 MB write is in flight: no SIGPIPE,
// one connection_lost carrying ConnectionResetError or BrokenPipeError.
Coro<void> reset_mid_write(Log& server_log) {
    EventLoop& loop = get_running_loop();
    struct BigWriter : Recorder {
        using Recorder::Recorder;
        void connection_made(Transport& t) override {
            Recorder::connection_made(t);
            t.write(std::string(10'000'000, 'z'));
        }
    };
    Server server = co_await loop.create_server([&] { return std::make_unique<BigWriter>(server_log); },
                                                "127.0.0.1", 0);
    Socket client(AF_INET);
    client.setblocking(false);
    co_await loop.sock_connect(client, server.sockets().at(0).getsockname());
    co_await server_log.made.wait();
    std::string first = co_await loop.sock_recv(client, 64 * 1024);
    EXPECT_FALSE(first.empty());
    EXPECT_GT(server_log.transport->get_write_buffer_size(), 0u);
    linger lg{1, 0};
    client.setsockopt(SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    client.close();  // RST, with unread data in our receive buffer
    co_await server_log.lost.wait();
    server.close();
    co_await server.wait_closed();
}

TEST_F(FlowControl, PeerResetMidWriteGivesOneConnectionLostAndNoSigpipe) {
    struct sigaction old {};
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, &old);  // a SIGPIPE would kill the test
    Log server_log;
    run_bounded(reset_mid_write(server_log));
    ::sigaction(SIGPIPE, &old, nullptr);
    EXPECT_EQ(server_log.calls, (std::vector<std::string>{"CM", "CL(error)"}));
    bool reset_or_pipe = false;
    try {
        std::rethrow_exception(server_log.error);
    } catch (const ConnectionResetError&) {
        reset_or_pipe = true;
    } catch (const BrokenPipeError&) {
        reset_or_pipe = true;
    } catch (...) {
    }
    EXPECT_TRUE(reset_or_pipe) << describe_exception(server_log.error);
}

}  // namespace
}  // namespace tulip::transport_test
