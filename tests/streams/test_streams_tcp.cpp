// streams over real sockets: start_server + open_connection (TCP on 127.0.0.1
// and [::1], Unix), readline / readexactly / readuntil / read to EOF, EOF
// errors, half-close, wait_closed, and cancellation. Every test ends with no
// task alive and no descriptor left open.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include "stream_test_util.hpp"
#include "support/ipv6.hpp"

namespace tulip {
namespace {

using testing::ipv6_loopback_available;

using testing::echo_bytes;
using testing::echo_lines;
using testing::port_of;
using testing::run_clean;
using testing::wait_until;

Coro<void> echo_round_trip(std::string host) {
    int finished = 0;
    ClientConnectedCallback cb = [&finished](StreamReader r, StreamWriter w) {
        return echo_lines(std::move(r), std::move(w), finished);
    };
    Server server = co_await start_server(cb, host, 0);
    auto [r, w] = co_await open_connection(host, port_of(server));
    w.write("hello\nworld\n");
    EXPECT_EQ(co_await r.readline(), "hello\n");
    EXPECT_EQ(co_await r.readline(), "world\n");
    std::vector<std::string_view> parts{"abc", "def\n"};
    w.writelines(parts);
    EXPECT_EQ(co_await r.readexactly(2), "ab");
    EXPECT_EQ(co_await r.readexactly(5), "cdef\n");
    w.write("last line\n");
    EXPECT_TRUE(w.can_write_eof());
    w.write_eof();  // the server echoes the line, sees EOF and closes
    EXPECT_EQ(co_await r.read(), "last line\n");
    EXPECT_TRUE(r.at_eof());
    w.close();
    co_await w.wait_closed();
    server.close();
    co_await server.wait_closed();
    EXPECT_TRUE(co_await wait_until([&] { return finished == 1; }));
}

TEST(Streams, EchoOverTcp) {
    run_clean([] { return echo_round_trip("127.0.0.1"); });
}

TEST(Streams, EchoOverIpv6) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback";
    run_clean([] { return echo_round_trip("::1"); });
}

TEST(Streams, EchoOverUnixSocket) {
    const std::string path = fmt::format("/tmp/tulip-streams-{}.sock", ::getpid());
    run_clean([&path]() -> Coro<void> {
        int finished = 0;
        ClientConnectedCallback cb = [&finished](StreamReader r, StreamWriter w) {
            return echo_lines(std::move(r), std::move(w), finished);
        };
        Server server = co_await start_unix_server(cb, path);
        auto [r, w] = co_await open_unix_connection(path);
        w.write("over a unix socket\n");
        EXPECT_EQ(co_await r.readline(), "over a unix socket\n");
        w.close();
        co_await w.wait_closed();
        server.close();
        co_await server.wait_closed();
        EXPECT_TRUE(co_await wait_until([&] { return finished == 1; }));
    });
    ::unlink(path.c_str());
}

// The Server handle may go before the connections it made: they keep its state.
TEST(Streams, ServerHandleMayGoBeforeItsConnections) {
    run_clean([]() -> Coro<void> {
        int finished = 0;
        ClientConnectedCallback cb = [&finished](StreamReader r, StreamWriter w) {
            return echo_lines(std::move(r), std::move(w), finished);
        };
        std::optional<Server> server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(*server));
        w.write("ping\n");
        EXPECT_EQ(co_await r.readline(), "ping\n");
        server->close();
        server.reset();
        w.write("still here\n");
        EXPECT_EQ(co_await r.readline(), "still here\n");
        w.close();
        co_await w.wait_closed();
        EXPECT_TRUE(co_await wait_until([&] { return finished == 1; }));
    });
}

// Copies of a writer share the connection: only the last one to go closes it,
// however the copies were made (copy, copy-assignment, move), on either side.
TEST(Streams, LastWriterCopyClosesTheConnection) {
    run_clean([]() -> Coro<void> {
        // The server's handler returns at once, leaving a copy of its writer to a
        // task that answers later: the connection stays open until that copy goes.
        ClientConnectedCallback cb = [](StreamReader r, StreamWriter w) -> Coro<void> {
            create_task([](StreamReader r2, StreamWriter w2) -> Coro<void> {
                std::string line = co_await r2.readline();
                w2.write("late " + line);
                co_await w2.drain();
            }(r, w));
            co_return;
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(server));
        Ref<Transport> transport(&w.transport());
        {
            StreamWriter copy = w;
            StreamWriter assigned = copy;
            assigned = w;
            StreamWriter moved = std::move(copy);
            w = std::move(moved);  // w's old copy goes; the moved-from ones hold nothing
        }
        EXPECT_FALSE(transport->is_closing());
        w.write("hi\n");
        EXPECT_EQ(co_await r.readline(), "late hi\n");
        // The server's last copy went with its task: it closed, and we see EOF.
        EXPECT_EQ(co_await wait_for(r.read(), 2.0), "");
        EXPECT_FALSE(transport->is_closing());  // ours is still open for writing
        {
            StreamWriter last = std::move(w);
        }
        EXPECT_TRUE(transport->is_closing());
        server.close();
        co_await server.wait_closed();
    });
}

TEST(Streams, ReaduntilSeveralSeparatorsSplitAcrossPackets) {
    run_clean([]() -> Coro<void> {
        int finished = 0;
        ClientConnectedCallback cb = [&finished](StreamReader r, StreamWriter w) -> Coro<void> {
            testing::FinishedCounter counter(finished);
            std::vector<std::string> seps{";;", "|"};
            for (int i = 0; i < 3; ++i) {
                std::string record = co_await r.readuntil(seps);
                w.write("[" + record + "]");
            }
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(server));
        w.write("k=v;");  // half a separator
        co_await sleep(0.01);
        w.write(";a|b");
        co_await sleep(0.01);
        w.write(";;");
        EXPECT_EQ(co_await r.read(), "[k=v;;][a|][b;;]");  // then the handler ends and the server side closes
        w.close();
        co_await w.wait_closed();
        server.close();
        co_await server.wait_closed();
        EXPECT_EQ(finished, 1);
    });
}

TEST(Streams, IncompleteReadErrorCarriesThePartialData) {
    run_clean([]() -> Coro<void> {
        ClientConnectedCallback cb = [](StreamReader, StreamWriter w) -> Coro<void> {
            w.write("partial");
            co_return;  // dropping the writer closes the connection after the bytes leave
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(server));
        try {
            co_await r.readexactly(100);
            ADD_FAILURE() << "no IncompleteReadError";
        } catch (const IncompleteReadError& e) {
            EXPECT_EQ(e.partial, "partial");
            EXPECT_EQ(e.expected, 100u);
        }
        EXPECT_TRUE(r.at_eof());
        w.close();
        co_await w.wait_closed();
        server.close();
        co_await server.wait_closed();
    });
}

TEST(Streams, HalfCloseThenReadTheWholeReply) {
    run_clean([]() -> Coro<void> {
        ClientConnectedCallback cb = [](StreamReader r, StreamWriter w) -> Coro<void> {
            std::string all = co_await r.read();  // to the client's EOF
            std::string reply = fmt::format("{} bytes:", all.size());
            reply.append(all.rbegin(), all.rend());
            w.write(reply);
            co_await w.drain();
            w.close();
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(server));
        std::string payload;
        for (int i = 0; i < 200000; ++i) payload += static_cast<char>('a' + i % 26);
        w.write(payload.substr(0, 1000));
        co_await w.drain();
        w.write(payload.substr(1000));
        w.write_eof();
        EXPECT_FALSE(w.is_closing());  // only our sending side is shut
        std::string reply = co_await r.read();
        std::string expected = fmt::format("{} bytes:", payload.size());
        expected.append(payload.rbegin(), payload.rend());
        EXPECT_EQ(reply.size(), expected.size());
        EXPECT_TRUE(reply == expected);
        // EOF both ways, but the transport stays open (eof_received keeps it open
        // for writing, as in asyncio) until we close it.
        EXPECT_FALSE(w.is_closing());
        w.close();
        co_await w.wait_closed();
        server.close();
        co_await server.wait_closed();
    });
}

TEST(Streams, WaitClosedAndDrainAfterClose) {
    run_clean([]() -> Coro<void> {
        int finished = 0;
        ClientConnectedCallback cb = [&finished](StreamReader r, StreamWriter w) {
            return echo_lines(std::move(r), std::move(w), finished);
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(server));
        auto peer = std::any_cast<Address>(w.get_extra_info("peername"));
        EXPECT_EQ(peer.port(), port_of(server));
        EXPECT_FALSE(w.get_extra_info("no such thing").has_value());
        w.write("bye\n");
        EXPECT_EQ(co_await r.readline(), "bye\n");
        w.close();
        EXPECT_TRUE(w.is_closing());
        co_await w.wait_closed();
        co_await w.wait_closed();  // again: returns at once
        EXPECT_TRUE(r.at_eof());
        EXPECT_THROW(co_await w.drain(), ConnectionResetError);  // "Connection lost"
        server.close();
        co_await server.wait_closed();
        EXPECT_TRUE(co_await wait_until([&] { return finished == 1; }));
    });
}

TEST(Streams, CancelledReadlineLosesNoData) {
    run_clean([]() -> Coro<void> {
        int finished = 0;
        ClientConnectedCallback cb = [&finished](StreamReader r, StreamWriter w) {
            return echo_bytes(std::move(r), std::move(w), finished);
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(server));
        Task<std::string> pending = create_task(r.readline());
        w.write("hel");
        EXPECT_TRUE(co_await wait_until([&] { return r.buffer_size() == 3; }));
        EXPECT_FALSE(pending.done());
        pending.cancel();
        EXPECT_THROW(co_await pending, CancelledError);
        w.write("lo\n");
        EXPECT_EQ(co_await r.readline(), "hello\n");
        w.close();
        co_await w.wait_closed();
        server.close();
        co_await server.wait_closed();
        EXPECT_TRUE(co_await wait_until([&] { return finished == 1; }));
    });
}

TEST(Streams, FailingHandlerIsReportedAndItsConnectionClosed) {
    run_clean([]() -> Coro<void> {
        std::vector<std::string> reports;
        get_running_loop().set_exception_handler(
            [&reports](EventLoop&, const ExceptionContext& c) { reports.push_back(c.message); });
        // Kept here, so that dropping the handler's copy does not close the
        // connection: the task's done callback must.
        std::vector<StreamWriter> kept;
        ClientConnectedCallback cb = [&kept](StreamReader r, StreamWriter w) -> Coro<void> {
            kept.push_back(w);
            std::string line = co_await r.readline();
            throw ValueError("bad request: " + line);
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r, w] = co_await open_connection("127.0.0.1", port_of(server));
        w.write("boom\n");
        EXPECT_EQ(co_await r.read(), "");  // the server closed the connection
        EXPECT_EQ(reports, std::vector<std::string>{"Unhandled exception in client_connected_cb"});
        w.close();
        co_await w.wait_closed();
        server.close();
        co_await server.wait_closed();
        EXPECT_EQ(kept.size(), 1u);
        EXPECT_TRUE(!kept.empty() && kept[0].is_closing());
        kept.clear();
        get_running_loop().set_exception_handler(nullptr);
    });
}

// asyncio's callback on the client-connected task: cancelled, the connection is
// closed and nothing is reported; returned, the connection stays as the handler left it.
TEST(Streams, CancelledHandlerClosesItsConnectionAndReturningOneLeavesIt) {
    run_clean([]() -> Coro<void> {
        int reports = 0;
        get_running_loop().set_exception_handler([&reports](EventLoop&, const ExceptionContext&) { ++reports; });
        std::vector<StreamWriter> kept;  // so only the task's end can close a connection
        TaskBase* waiting = nullptr;
        int returned = 0;
        ClientConnectedCallback cb = [&](StreamReader r, StreamWriter w) -> Coro<void> {
            kept.push_back(w);
            if (co_await r.readline() == "return\n") {
                ++returned;
                co_return;
            }
            waiting = current_task();
            co_await r.readline();  // until cancelled
        };
        Server server = co_await start_server(cb, "127.0.0.1", 0);
        auto [r1, w1] = co_await open_connection("127.0.0.1", port_of(server));
        auto [r2, w2] = co_await open_connection("127.0.0.1", port_of(server));
        w1.write("wait\n");
        w2.write("return\n");
        EXPECT_TRUE(co_await wait_until([&] { return waiting != nullptr && returned == 1; }));
        if (waiting) waiting->future().cancel();
        EXPECT_EQ(co_await wait_for(r1.read(), 2.0), "");  // closed by the cancelled task's end
        co_await sleep(0.01);
        EXPECT_EQ(reports, 0);
        int open = 0;
        for (StreamWriter& w : kept) open += w.is_closing() ? 0 : 1;
        EXPECT_EQ(open, 1);  // the returned handler's connection is still open ...
        for (StreamWriter& w : kept) {
            if (!w.is_closing()) w.write("still there\n");
            w.close();
        }
        EXPECT_EQ(co_await wait_for(r2.read(), 2.0), "still there\n");  // ... and still writes
        w1.close();
        w2.close();
        co_await w1.wait_closed();
        co_await w2.wait_closed();
        server.close();
        co_await server.wait_closed();
        kept.clear();
        get_running_loop().set_exception_handler(nullptr);
    });
}

}  // namespace
}  // namespace tulip
