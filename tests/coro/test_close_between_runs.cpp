// A socket the loop waited on, closed while the loop is NOT running (between two
// run_until_complete calls, or after another loop ran on the thread), must still
// be dropped from that loop's backend: a new socket given the same number must
// be registered afresh, or a wait on it never wakes: on every backend the loop
// would believe the number registered (epoll and io_uring lost it with the old
// file; poll and select hold it dormant, as it names another file now).
#include <fcntl.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "support/fds.hpp"
#include "tulip/tulip.hpp"

namespace tulip {
namespace {

constexpr double give_up = 0.3;  // a wait that never wakes fails after this, not hangs

class CloseBetweenRuns : public ::testing::Test {
protected:
    void TearDown() override {
        EXPECT_TRUE(TaskBase::live_tasks().empty());
        EXPECT_EQ(testing::count_open_fds(), fds_) << "a descriptor leaked";
    }
    int fds_ = testing::count_open_fds();
};

std::pair<Socket, Socket> nonblocking_pair() {
    auto [a, b] = Socket::pair();
    a.setblocking(false);
    b.setblocking(false);
    return {std::move(a), std::move(b)};
}

// Receives from `sock`, or nullopt if nothing woke the wait within `give_up`.
Coro<std::optional<std::string>> recv_or_timeout(EventLoop& loop, Socket& sock) {
    try {
        co_return co_await wait_for(loop.sock_recv(sock, 64), give_up);
    } catch (const TimeoutError&) {
        co_return std::nullopt;
    }
}

// Runs `loop` until a recv on `sock` completes; the peer sends `data` only once
// the recv waits, so the data arrives through the backend, not the first recv.
std::optional<std::string> recv_after_wait(EventLoop& loop, Socket& sock, Socket& peer, std::string data) {
    loop.call_later(0.005, [&peer, data] { peer.send(data); });
    return loop.run_until_complete(recv_or_timeout(loop, sock));
}

// Closes `old` (and its peer) and returns a new pair whose first socket has
// `old`'s number: the lowest free number, or moved there with F_DUPFD where a
// closed loop left lower numbers free.
std::pair<Socket, Socket> reuse_number(Socket& old, Socket& old_peer) {
    int number = old.fileno();
    old.close();
    old_peer.close();
    auto [mine, peer] = nonblocking_pair();
    if (peer.fileno() == number) std::swap(mine, peer);
    if (mine.fileno() != number) {
        int fd = ::fcntl(mine.fileno(), F_DUPFD_CLOEXEC, number);
        EXPECT_EQ(fd, number);
        mine = Socket::adopt(fd, 0.0);  // same file, still non-blocking; the first number is closed
    }
    return {std::move(mine), std::move(peer)};
}

TEST_F(CloseBetweenRuns, NewSocketWithTheSameNumberIsWatched) {
    EventLoop loop;
    auto [a, b] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(loop, a, b, "one"), "one");  // `a` is now registered

    auto [c, d] = reuse_number(a, b);  // the loop is not running
    EXPECT_EQ(recv_after_wait(loop, c, d, "two"), "two");
    loop.close();
}

// The same with a watcher (add_reader) and a loop driven by run_once: the close
// drops the old watcher, and the new socket's watcher is registered afresh.
TEST_F(CloseBetweenRuns, WatchedDescriptorClosedBetweenIterations) {
    EventLoop loop;
    auto [a, b] = nonblocking_pair();
    int old_calls = 0;
    auto token = std::make_shared<int>(0);
    loop.add_reader(a.fileno(), [&old_calls, token] { ++old_calls; });
    b.send("x");
    loop.run_once();
    EXPECT_EQ(old_calls, 1);

    auto [c, d] = reuse_number(a, b);  // closed without remove_reader, between iterations
    EXPECT_EQ(token.use_count(), 1) << "the old watcher was not dropped";
    int new_calls = 0;
    bool gave_up = false;
    loop.add_reader(c.fileno(), [&] { ++new_calls; });
    d.send("y");
    loop.call_later(give_up, [&] { gave_up = true; });
    while (new_calls == 0 && !gave_up) loop.run_once();
    EXPECT_GT(new_calls, 0);
    EXPECT_EQ(old_calls, 1);
    loop.remove_reader(c.fileno());
    loop.close();
}

// A listening socket, closed between runs, whose number a new listener takes.
Coro<bool> accept_or_timeout(EventLoop& loop, Socket& server) {
    try {
        auto accepted = co_await wait_for(loop.sock_accept(server), give_up);
        co_return accepted.first.fileno() >= 0;
    } catch (const TimeoutError&) {
        co_return false;
    }
}

Socket listener() {
    Socket server(AF_INET);
    server.bind(Address::ipv4("127.0.0.1", 0));
    server.listen();
    server.setblocking(false);
    return server;
}

bool accept_after_wait(EventLoop& loop, Socket& server) {
    Socket client(AF_INET);
    loop.call_later(0.005, [&] { client.connect(server.getsockname()); });
    return loop.run_until_complete(accept_or_timeout(loop, server));
}

TEST_F(CloseBetweenRuns, NewListenerWithTheSameNumberAccepts) {
    EventLoop loop;
    Socket first = listener();
    EXPECT_TRUE(accept_after_wait(loop, first));
    int number = first.fileno();
    first.close();
    Socket second = listener();
    ASSERT_EQ(second.fileno(), number);
    EXPECT_TRUE(accept_after_wait(loop, second));
    loop.close();
}

// A loop made while another is still open takes over when it runs; closing the
// first later must not stop the second hearing of closes.
TEST_F(CloseBetweenRuns, SecondLoopTakesOverAndOutlivesTheFirst) {
    auto first = std::make_unique<EventLoop>();
    auto [a, b] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(*first, a, b, "one"), "one");

    EventLoop second;
    auto [c, d] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(second, c, d, "two"), "two");
    first->close();
    first.reset();

    auto [e, f] = reuse_number(c, d);
    EXPECT_EQ(recv_after_wait(second, e, f, "three"), "three");
    a.close();  // after the first loop is gone: must not reach it
    second.close();
}

// Two open loops, run in turn on one thread: each hears of every close made on
// the thread, not only the one that ran last.
TEST_F(CloseBetweenRuns, AnOpenLoopThatDidNotRunLastStillHearsOfCloses) {
    EventLoop first;
    auto [a, b] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(first, a, b, "one"), "one");

    EventLoop second;
    auto [x, y] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(second, x, y, "two"), "two");

    auto [c, d] = reuse_number(a, b);  // `a` was registered in the first loop
    EXPECT_EQ(recv_after_wait(first, c, d, "three"), "three");
    second.close();
    first.close();
}

// Loops made one after another (asyncio.run makes a new one each time).
Coro<std::string> recv_once(Socket& sock, Socket& peer, std::string data) {
    EventLoop& loop = get_running_loop();
    loop.call_later(0.005, [&peer, data] { peer.send(data); });
    co_return co_await wait_for(loop.sock_recv(sock, 64), give_up);
}

TEST_F(CloseBetweenRuns, SequentialRunsEachUseAFreshLoop) {
    for (int i = 0; i < 3; ++i) {
        auto [a, b] = nonblocking_pair();
        EXPECT_EQ(run(recv_once(a, b, "x")), "x");
        EXPECT_EQ(run(recv_once(a, b, "y")), "y");
    }
}

// A loop closed (and destroyed) on another thread: closes on the thread that ran
// it must no longer reach it, and a new loop there works.
TEST_F(CloseBetweenRuns, LoopClosedOnAnotherThread) {
    auto loop = std::make_unique<EventLoop>();
    auto [a, b] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(*loop, a, b, "one"), "one");
    std::thread([&] {
        loop->close();
        loop.reset();
    }).join();
    auto [c, d] = reuse_number(a, b);  // the closed loop must not be told (ASan: use after free)

    EventLoop next;
    EXPECT_EQ(recv_after_wait(next, c, d, "two"), "two");
    auto [e, f] = reuse_number(c, d);
    EXPECT_EQ(recv_after_wait(next, e, f, "three"), "three");
    next.close();
}

// The same while this thread keeps closing sockets: each close either reaches
// the loop before it is closed or not at all (TSan: no race, ASan: no use after free).
TEST_F(CloseBetweenRuns, LoopClosedOnAnotherThreadWhileThisOneCloses) {
    auto loop = std::make_unique<EventLoop>();
    auto [a, b] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(*loop, a, b, "one"), "one");
    std::thread closer([&] {
        loop->close();
        loop.reset();
    });
    for (int i = 0; i < 200; ++i) {
        auto [x, y] = nonblocking_pair();  // closed by their destructors
    }
    closer.join();
    EXPECT_EQ(loop, nullptr);
}

// A loop first run on a thread that has since ended, then run (and its sockets
// closed between runs) on this one: it follows the thread that runs it.
TEST_F(CloseBetweenRuns, LoopMovesToTheThreadThatRunsIt) {
    EventLoop loop;
    if (std::string_view(loop.backend_name()) == "uring") {
        loop.close();
        GTEST_SKIP() << "an io_uring loop stays on the first thread that ran it (next test)";
    }
    auto [x, y] = nonblocking_pair();
    std::optional<std::string> got;
    std::thread([&] { got = recv_after_wait(loop, x, y, "one"); }).join();
    EXPECT_EQ(got, "one");

    auto [a, b] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(loop, a, b, "two"), "two");
    auto [c, d] = reuse_number(a, b);
    EXPECT_EQ(recv_after_wait(loop, c, d, "three"), "three");
    loop.close();
}

// A uring loop cannot follow: run on a second thread it raises RuntimeError
// before submitting anything, and it still works on its own thread and closes
// from anywhere.
TEST_F(CloseBetweenRuns, UringLoopStaysOnItsFirstThread) {
    EventLoop loop;
    if (std::string_view(loop.backend_name()) != "uring") {
        loop.close();
        GTEST_SKIP() << "only an io_uring loop is bound to a thread";
    }
    auto [x, y] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(loop, x, y, "one"), "one");

    std::string error;
    std::thread([&] {
        try {
            loop.run_forever();
        } catch (const RuntimeError& e) {
            error = e.what();
        }
        try {
            loop.run_once();
        } catch (const RuntimeError& e) {
            error += " | ";
            error += e.what();
        }
    }).join();
    EXPECT_NE(error.find("only on the thread that first ran it"), std::string::npos) << error;
    EXPECT_NE(error.find(" | "), std::string::npos) << "run_once did not check: " << error;

    EXPECT_FALSE(loop.is_running());
    EXPECT_EQ(recv_after_wait(loop, x, y, "two"), "two");
    std::thread([&] { loop.close(); }).join();
    EXPECT_TRUE(loop.is_closed());
}

TEST_F(CloseBetweenRuns, LoopDestroyedWithoutCloseIsForgotten) {
    auto [a, b] = nonblocking_pair();
    {
        EventLoop loop;
        EXPECT_EQ(recv_after_wait(loop, a, b, "one"), "one");
    }
    a.close();  // must not reach the destroyed loop
    b.close();
    EventLoop next;
    auto [c, d] = nonblocking_pair();
    EXPECT_EQ(recv_after_wait(next, c, d, "two"), "two");
    next.close();
}

}  // namespace
}  // namespace tulip
