#include <gtest/gtest.h>

#include "tulip/tulip.hpp"

namespace tulip {
namespace {

Coro<int> add(int a, int b) {
    co_await sleep(0);
    co_return a + b;
}

Coro<int> chain(int n) {
    int total = 0;
    for (int i = 0; i < n; ++i) total += co_await add(i, 1);
    co_return total;
}

TEST(Smoke, RunReturnsTheResult) { EXPECT_EQ(run(chain(10)), 55); }

Coro<int> sync_add(int a) { co_return a + 1; }
Coro<long> deep(int n) {
    long total = 0;
    for (int i = 0; i < n; ++i) total += co_await sync_add(i);
    co_return total;
}

TEST(Smoke, LongChainOfSynchronousAwaitsDoesNotOverflow) { EXPECT_EQ(run(deep(1'000'000)), 500000500000L); }

Coro<void> sleeper(double d, std::vector<int>& out, int id) {
    co_await sleep(d);
    out.push_back(id);
}

Coro<void> main_tasks(std::vector<int>& out) {
    auto t1 = create_task(sleeper(0.02, out, 1));
    auto t2 = create_task(sleeper(0.01, out, 2));
    co_await t1;
    co_await t2;
}

TEST(Smoke, TasksRunConcurrently) {
    std::vector<int> out;
    run(main_tasks(out));
    EXPECT_EQ(out, (std::vector<int>{2, 1}));
}

Coro<void> cancel_me(bool& caught) {
    try {
        co_await sleep(10);
    } catch (const CancelledError&) {
        caught = true;
        throw;
    }
}

Coro<bool> main_cancel() {
    bool caught = false;
    auto t = create_task(cancel_me(caught));
    co_await sleep(0.01);
    t.cancel();
    try {
        co_await t;
    } catch (const CancelledError&) {
    }
    co_return caught && t.cancelled();
}

TEST(Smoke, CancelThrowsAtTheAwait) { EXPECT_TRUE(run(main_cancel())); }

Coro<std::string> echo_once() {
    EventLoop& loop = get_running_loop();
    Socket server(AF_INET);
    server.bind(Address::ipv4("127.0.0.1", 0));
    server.listen();
    server.setblocking(false);
    Socket client(AF_INET);
    client.setblocking(false);
    co_await loop.sock_connect(client, server.getsockname());
    auto [conn, addr] = co_await loop.sock_accept(server);
    co_await loop.sock_sendall(client, "hello");
    std::string got = co_await loop.sock_recv(conn, 100);
    co_return got;
}

TEST(Smoke, SockRoundTrip) { EXPECT_EQ(run(echo_once()), "hello"); }

}  // namespace
}  // namespace tulip
