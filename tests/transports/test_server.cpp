// transports: Server — close, close_clients, abort_clients, wait_closed,
// serve_forever cancelled, and running out of descriptors at accept.
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>

#include <set>

#include "support/sanitizers.hpp"
#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

class ServerTest : public TransportTest {};

using Calls = std::vector<std::string>;

Coro<void> close_and_clients(Log (&server_logs)[2], Log (&client_logs)[2], bool abort) {
    EventLoop& loop = get_running_loop();
    int made = 0;
    Server server = co_await loop.create_server(
        [&] { return std::make_unique<Recorder>(server_logs[made++]); }, "127.0.0.1", 0);
    EXPECT_TRUE(server.is_serving());
    Address addr = server.sockets().at(0).getsockname();
    Ref<Transport> clients[2];
    for (int i = 0; i < 2; ++i) {
        auto c = co_await loop.create_connection([&, i] { return std::make_unique<Recorder>(client_logs[i]); },
                                                 "127.0.0.1", addr.port());
        clients[i] = c.first;
        co_await server_logs[i].made.wait();
    }
    Task<void> closed = loop.create_task(server.wait_closed());

    server.close();
    server.close();  // idempotent
    EXPECT_FALSE(server.is_serving());
    EXPECT_TRUE(server.sockets().empty());
    Socket late(AF_INET);
    late.setblocking(false);
    bool refused = false;
    try {
        co_await loop.sock_connect(late, addr);
    } catch (const ConnectionRefusedError&) {
        refused = true;
    }
    EXPECT_TRUE(refused);
    co_await sleep(0.02);
    EXPECT_FALSE(closed.done());  // connections are still open: wait_closed waits for them

    if (abort) {
        server.abort_clients();
    } else {
        server.close_clients();
    }
    for (int i = 0; i < 2; ++i) {
        co_await server_logs[i].lost.wait();
        co_await client_logs[i].lost.wait();
    }
    co_await closed;
    co_await server.wait_closed();  // done already: returns at once
}

TEST_F(ServerTest, CloseStopsListeningAndCloseClientsEndsConnections) {
    Log server_logs[2], client_logs[2];
    run_bounded(close_and_clients(server_logs, client_logs, false));
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(server_logs[i].calls, (Calls{"CM", "CL"}));
        EXPECT_EQ(client_logs[i].calls, (Calls{"CM", "ER", "CL"}));
    }
}

TEST_F(ServerTest, AbortClients) {
    Log server_logs[2], client_logs[2];
    run_bounded(close_and_clients(server_logs, client_logs, true));
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(server_logs[i].calls, (Calls{"CM", "CL"}));
        EXPECT_FALSE(server_logs[i].error);
        EXPECT_EQ(client_logs[i].calls.back().substr(0, 2), "CL");
    }
}

// serve_forever serves until cancelled, then closes the server and (as asyncio
// 3.12) waits for its connections before the CancelledError comes out.
Coro<void> serve_forever_cancelled(Log& client_log, bool& cancelled) {
    EventLoop& loop = get_running_loop();
    ServerOptions options;
    options.start_serving = false;
    Server server = co_await loop.create_server(echo_factory(), "127.0.0.1", 0, options);
    EXPECT_FALSE(server.is_serving());
    Task<void> serving = loop.create_task(server.serve_forever());
    co_await sleep(0);
    EXPECT_TRUE(server.is_serving());
    auto [transport, protocol] = co_await loop.create_connection(
        [&] { return std::make_unique<Recorder>(client_log); }, "127.0.0.1", port_of(server));
    client_log.want = 4;
    transport->write("ping");
    co_await client_log.enough.wait();

    serving.cancel();
    co_await sleep(0.02);
    EXPECT_FALSE(serving.done());  // waiting for the connection
    EXPECT_FALSE(server.is_serving());
    transport->close();
    try {
        co_await serving;
    } catch (const CancelledError&) {
        cancelled = true;
    }
    co_await client_log.lost.wait();
}

TEST_F(ServerTest, ServeForeverCancelled) {
    Log client_log;
    bool cancelled = false;
    run_bounded(serve_forever_cancelled(client_log, cancelled));
    EXPECT_TRUE(cancelled);
    EXPECT_EQ(client_log.data, "ping");
}

// ---- Out of descriptors at accept ----

// The lowest limit that leaves exactly `spare` descriptor numbers free.
rlim_t limit_leaving(int spare) {
    std::set<int> open;
    DIR* dir = ::opendir("/proc/self/fd");
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] != '.') open.insert(std::atoi(e->d_name));
    }
    open.erase(::dirfd(dir));
    ::closedir(dir);
    int fd = 0;
    for (int free = 0;; ++fd) {
        if (!open.count(fd) && ++free == spare) break;
    }
    return static_cast<rlim_t>(fd + 1);
}

double cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct FdLimit {
    rlimit saved{};
    FdLimit() { ::getrlimit(RLIMIT_NOFILE, &saved); }
    void lower(rlim_t soft) {
        rlimit rl = saved;
        rl.rlim_cur = soft;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    ~FdLimit() { ::setrlimit(RLIMIT_NOFILE, &saved); }
};

struct EmfileResult {
    int handler_calls = 0;
    int accepted_while_exhausted = 0;
    double cpu = 0;
    bool old_served = false, new_accepted = false;
};

Coro<void> emfile(EmfileResult& r) {
    EventLoop& loop = get_running_loop();
    loop.set_exception_handler([&r](EventLoop&, const ExceptionContext&) { ++r.handler_calls; });
    int accepted = 0;
    Socket listener(AF_INET);
    listener.bind(Address::ipv4("127.0.0.1", 0));
    listener.listen(100);
    Address addr = listener.getsockname();
    constexpr int n = 10;
    std::vector<Socket> clients;
    for (int i = 0; i < n; ++i) {  // made now: no descriptor can be made once the limit is low
        clients.emplace_back(AF_INET);
        clients.back().setblocking(false);
    }
    // Lowered before the server starts: io_uring's accept reads the limit when
    // it is submitted, not per connection.
    FdLimit limit;
    limit.lower(limit_leaving(3));  // room for three accepted connections
    Server server = co_await loop.create_server(
        [&] {
            ++accepted;
            return std::make_unique<Echo>();
        },
        std::move(listener));
    co_await loop.sock_connect(clients[0], addr);
    EXPECT_EQ(co_await echo(clients[0], "first"), "first");

    for (int i = 1; i < n; ++i) co_await loop.sock_connect(clients[i], addr);  // queued by the kernel
    double start = cpu_seconds();
    co_await sleep(1.0);
    r.cpu = cpu_seconds() - start;
    r.accepted_while_exhausted = accepted;
    std::string reply = co_await echo(clients[0], "still there");
    r.old_served = reply == "still there";

    // Two connections go: their descriptors come back, and the server accepts again.
    clients[0].close();
    clients[1].close();
    for (int i = 0; i < 100 && accepted < r.accepted_while_exhausted + 2; ++i) co_await sleep(0.01);
    int next = r.accepted_while_exhausted;  // accepted in the order they connected
    if (accepted >= r.accepted_while_exhausted + 2) {
        std::string reply = co_await echo(clients[next], "new");
        r.new_accepted = reply == "new";
    }

    limit.lower(limit.saved.rlim_cur);
    server.close();
    for (Socket& c : clients) c.close();
    co_await server.wait_closed();
    loop.set_exception_handler(nullptr);
}

TEST_F(ServerTest, AcceptAtEmfileNeitherSpinsNorDies) {
#ifdef TULIP_TEST_SANITIZED
    GTEST_SKIP() << "sanitizer runtimes need free descriptors themselves";
#endif
    EmfileResult r;
    run_bounded(emfile(r));
    EXPECT_EQ(r.accepted_while_exhausted, 3);  // the first, then the two that fit
    EXPECT_LT(r.cpu, 0.3) << "the server spins on a listening socket it cannot accept from";
    EXPECT_EQ(r.handler_calls, 1);  // one log line, not one per attempt
    EXPECT_TRUE(r.old_served);
    EXPECT_TRUE(r.new_accepted);
}

}  // namespace
}  // namespace tulip::transport_test
