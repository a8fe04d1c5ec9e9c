// add_reader / add_writer: level-triggered watchers, replacing and removing them,
// and what happens when the watched descriptor is closed.
#include <fcntl.h>

#include <cstdlib>
#include <memory>
#include <string_view>
#include <string>

#include "loop_fixture.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/socket.hpp"

namespace tulip::test {
namespace {

using Watchers = LoopTest;

TEST_F(Watchers, ReaderRunsOncePerIterationWhileReadable) {
    auto [a, b] = Socket::pair();
    int calls = 0;
    loop.add_reader(a.fileno(), [&] { ++calls; });
    b.send("x");
    for (int i = 1; i <= 3; ++i) {
        loop.run_once();
        EXPECT_EQ(calls, i);
    }
    EXPECT_EQ(a.recv(10), "x");  // no longer readable: the watcher goes quiet
    run_for(0.01);
    EXPECT_EQ(calls, 3);
    EXPECT_TRUE(loop.remove_reader(a.fileno()));
}

TEST_F(Watchers, ReaderIsNotCalledUntilReadable) {
    auto [a, b] = Socket::pair();
    int calls = 0;
    loop.add_reader(a.fileno(), [&] {
        ++calls;
        a.recv(10);
    });
    run_for(0.01);
    EXPECT_EQ(calls, 0);
    loop.call_later(0.005, [&b] { b.send("y"); });
    run_for(0.02);
    EXPECT_EQ(calls, 1);
    loop.remove_reader(a.fileno());
}

TEST_F(Watchers, RemoveReaderReportsWhetherOneWasRegistered) {
    auto [a, b] = Socket::pair();
    EXPECT_FALSE(loop.remove_reader(a.fileno()));
    loop.add_reader(a.fileno(), [] {});
    EXPECT_FALSE(loop.remove_writer(a.fileno()));
    EXPECT_TRUE(loop.remove_reader(a.fileno()));
    EXPECT_FALSE(loop.remove_reader(a.fileno()));
}

TEST_F(Watchers, RemovedReaderDoesNotRun) {
    auto [a, b] = Socket::pair();
    int calls = 0;
    loop.add_reader(a.fileno(), [&] { ++calls; });
    b.send("x");
    loop.run_once();
    EXPECT_EQ(calls, 1);
    loop.remove_reader(a.fileno());
    run_for(0.01);
    EXPECT_EQ(calls, 1);
}

TEST_F(Watchers, AddingAgainReplacesTheReader) {
    auto [a, b] = Socket::pair();
    int first = 0, second = 0;
    loop.add_reader(a.fileno(), [&] { ++first; });
    loop.add_reader(a.fileno(), [&] { ++second; });
    b.send("x");
    loop.run_once();
    loop.run_once();
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 2);
    EXPECT_TRUE(loop.remove_reader(a.fileno()));
}

TEST_F(Watchers, WriterRunsWhileWritableAndReaderAndWriterAreIndependent) {
    auto [a, b] = Socket::pair();
    int reads = 0, writes = 0;
    loop.add_writer(a.fileno(), [&] { ++writes; });
    loop.add_reader(a.fileno(), [&] { ++reads; });
    loop.run_once();
    loop.run_once();
    EXPECT_EQ(writes, 2);
    EXPECT_EQ(reads, 0);
    EXPECT_TRUE(loop.remove_writer(a.fileno()));
    b.send("x");
    loop.run_once();
    EXPECT_EQ(writes, 2);
    EXPECT_EQ(reads, 1);
    EXPECT_TRUE(loop.remove_reader(a.fileno()));
}

TEST_F(Watchers, ReaderMayRemoveItselfAndReadItsCapturesAfterwards) {
    auto [a, b] = Socket::pair();
    std::string seen;
    auto payload = std::make_shared<std::string>(std::string(100, 'p'));  // heap-allocated capture
    loop.add_reader(a.fileno(), [&, payload] {
        loop.remove_reader(a.fileno());
        seen = *payload;  // the callable must outlive its own removal
    });
    b.send("x");
    loop.run_once();
    EXPECT_EQ(seen, std::string(100, 'p'));
    EXPECT_EQ(payload.use_count(), 1);
}

// A descriptor closed while watched (here by Socket::close inside a callback, so
// through sys::close and the loop's close observer) loses its watcher; a new
// socket given the same number never reaches the old callback.
TEST_F(Watchers, ClosingTheDescriptorDropsItsWatcher) {
    auto [a, b] = Socket::pair();
    int old_calls = 0, new_calls = 0;
    int old_fd = a.fileno();
    auto token = std::make_shared<int>(0);
    loop.add_reader(old_fd, [&old_calls, token] { ++old_calls; });
    Socket c, d;
    loop.call_soon([&] {
        a.close();
        std::tie(c, d) = Socket::pair();
        d.send("ready");  // c is readable
        if (c.fileno() == old_fd) loop.add_writer(c.fileno(), [&] { ++new_calls; });
    });
    run_for(0.02);
    EXPECT_EQ(old_calls, 0);
    EXPECT_EQ(token.use_count(), 1);  // the old callback was dropped, not just idle
    if (c.fileno() == old_fd) {
        EXPECT_GT(new_calls, 0);  // the number works for its new owner
        loop.remove_writer(c.fileno());
    }
    EXPECT_FALSE(loop.remove_reader(old_fd));
}

TEST_F(Watchers, InvalidDescriptorIsAValueError) {
    EXPECT_THROW(loop.add_reader(-1, [] {}), ValueError);
}

}  // namespace
}  // namespace tulip::test

namespace tulip {
namespace {

// A descriptor the backend cannot watch (epoll refuses regular files) fails at
// add_reader, as in asyncio, instead of stopping run_forever later.
TEST(WatchersRefused, UnpollableDescriptorFailsAtAddReader) {
    if (std::string_view(std::getenv("TULIP_BACKEND") ? std::getenv("TULIP_BACKEND") : "epoll") != "epoll") {
        GTEST_SKIP() << "poll and select accept regular files";
    }
    EventLoop loop;
    int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_THROW(loop.add_reader(fd, [] {}), OSError);
    EXPECT_FALSE(loop.remove_reader(fd));
    bool ran = false;
    loop.call_soon([&] {
        ran = true;
        loop.stop();
    });
    loop.run_forever();  // the refused registration left nothing behind to fail here
    EXPECT_TRUE(ran);
    ::close(fd);
    loop.close();
}

}  // namespace
}  // namespace tulip
