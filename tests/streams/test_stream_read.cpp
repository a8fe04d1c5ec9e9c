// streams: what StreamReader::read returns (StreamRead) — awaited in the
// caller's frame, and a coroutine wherever one is needed: create_task (free, the
// loop's, a TaskGroup's), wait_for, gather, shield and a Coro variable. Both
// forms read the same way: up to n bytes, "" at EOF, to EOF with n < 0; a
// cancelled wait loses no data; one waiter at a time.
#include <gtest/gtest.h>

#include "stream_test_util.hpp"
#include "tulip/tulip.hpp"

namespace tulip {
namespace {

using testing::feed_soon;

TEST(StreamRead, RunsAsATaskFromEveryCreateTask) {
    run([]() -> Coro<void> {
        StreamReader r;
        Task<std::string> free_task = create_task(r.read(3), "reader");
        EXPECT_EQ(free_task.get_name(), "reader");
        feed_soon(r, "abcdef");
        EXPECT_EQ(co_await free_task, "abc");  // it waited, then took at most 3
        EXPECT_EQ(co_await get_running_loop().create_task(r.read(2)), "de");
        co_await task_group([&](TaskGroup& tg) -> Coro<void> {
            Task<std::string> in_group = tg.create_task(r.read(10));
            EXPECT_EQ(co_await in_group, "f");  // buffered: no wait
        });
        feed_soon(r, "gh", true);
        EXPECT_EQ(co_await create_task(r.read(4)), "gh");
        EXPECT_EQ(co_await create_task(r.read(4)), "");  // at EOF
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamRead, ToEofAsATaskAndAsACoroVariable) {
    run([]() -> Coro<void> {
        StreamReader r;
        Task<std::string> all = create_task(r.read());
        feed_soon(r, "one ");
        co_await sleep(0);
        co_await sleep(0);
        EXPECT_FALSE(all.done());  // reading to EOF waits past the first bytes
        feed_soon(r, "two", true);
        EXPECT_EQ(co_await all, "one two");

        StreamReader r2;
        r2.feed_data("xyz");
        Coro<std::string> later = r2.read(2);  // converted, not started: nothing read yet
        EXPECT_EQ(r2.buffer_size(), 3u);
        EXPECT_EQ(co_await std::move(later), "xy");
        Coro<std::string> rest = r2.read(-1);
        r2.feed_eof();
        EXPECT_EQ(co_await std::move(rest), "z");
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamRead, WaitForGatherAndShield) {
    run([]() -> Coro<void> {
        StreamReader a;
        StreamReader b;
        feed_soon(a, "from a");
        EXPECT_EQ(co_await wait_for(a.read(100), 2.0), "from a");  // inline, with a deadline

        // Nothing arrives: the deadline cancels the wait and leaves the reader usable.
        EXPECT_THROW(co_await wait_for(a.read(100), 0.01), TimeoutError);
        // A timeout of 0 cancels the read's task before it starts (asyncio's
        // TimeoutError too); the bytes stay for the next read.
        a.feed_data("late");
        EXPECT_THROW(co_await wait_for(a.read(100), 0), TimeoutError);
        EXPECT_EQ(co_await a.read(100), "late");

        feed_soon(a, "1");
        feed_soon(b, "2");
        auto [x, y] = co_await gather(a.read(5), b.read(5));
        EXPECT_EQ(x, "1");
        EXPECT_EQ(y, "2");

        Future<std::string> shielded = shield(b.read(5));
        b.feed_data("3");
        EXPECT_EQ(co_await shielded, "3");
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamRead, CancelledReadLosesNoData) {
    run([]() -> Coro<void> {
        StreamReader r;
        Task<std::string> pending = create_task(r.read(100));
        co_await sleep(0);
        r.feed_data("kept");  // wakes it; cancelled before it runs
        pending.cancel();
        EXPECT_THROW(co_await pending, CancelledError);
        EXPECT_EQ(r.buffer_size(), 4u);
        EXPECT_EQ(co_await r.read(100), "kept");

        // Cancelled while still waiting: the reader takes a new waiter afterwards.
        Task<std::string> idle = create_task(r.read(100));
        co_await sleep(0);
        idle.cancel();
        EXPECT_THROW(co_await idle, CancelledError);
        feed_soon(r, "next");
        EXPECT_EQ(co_await r.read(100), "next");
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamRead, SecondWaiterIsRefusedAndErrorsReachTheWaiter) {
    run([]() -> Coro<void> {
        StreamReader r;
        Task<std::string> first = create_task(r.read(10));
        co_await sleep(0);
        EXPECT_THROW(co_await r.read(10), RuntimeError);
        EXPECT_EQ(co_await r.read(0), "");  // reads nothing, so does not wait
        get_running_loop().call_soon([r]() mutable {
            r.set_exception(std::make_exception_ptr(ConnectionResetError(ECONNRESET, "peer")));
        });
        EXPECT_THROW(co_await first, ConnectionResetError);
        EXPECT_THROW(co_await r.read(0), ConnectionResetError);  // the error comes first, as in asyncio
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamRead, ReaderHandleMayGoFirst) {
    run([]() -> Coro<void> {
        std::optional<StreamReader> r(std::in_place);
        StreamReader feeder = *r;
        Task<std::string> pending = create_task(r->read(10));
        r.reset();  // the read keeps the reader's state
        feed_soon(feeder, "still here");
        EXPECT_EQ(co_await pending, "still here");
    }());
}

}  // namespace
}  // namespace tulip
