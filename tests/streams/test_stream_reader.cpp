// streams: StreamReader alone, fed by hand (asyncio's test_streams does the same):
// readline, read, readexactly, readuntil with one and several separators, the
// limit, errors, one waiter at a time, and the buffer's memory.
#include <gtest/gtest.h>

#include "stream_test_util.hpp"
#include "tulip/tulip.hpp"

namespace tulip {
namespace {

using testing::feed_soon;

TEST(StreamReader, ReadlineReadAndEof) {
    run([]() -> Coro<void> {
        StreamReader r;
        r.feed_data("line1\nline2\nrest");
        EXPECT_EQ(co_await r.readline(), "line1\n");
        EXPECT_EQ(co_await r.read(3), "lin");
        EXPECT_EQ(co_await r.readline(), "e2\n");
        feed_soon(r, " of it", true);
        EXPECT_FALSE(r.at_eof());
        EXPECT_EQ(co_await r.read(), "rest of it");  // to EOF
        EXPECT_TRUE(r.at_eof());
        EXPECT_EQ(co_await r.readline(), "");
        EXPECT_EQ(co_await r.read(10), "");
        EXPECT_EQ(co_await r.read(0), "");
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamReader, ReadlineAtEofReturnsThePartialLine) {
    run([]() -> Coro<void> {
        StreamReader r;
        feed_soon(r, "no newline", true);
        EXPECT_EQ(co_await r.readline(), "no newline");
        EXPECT_TRUE(r.at_eof());
    }());
}

TEST(StreamReader, ReaduntilOneAndSeveralSeparators) {
    run([]() -> Coro<void> {
        StreamReader r;
        r.feed_data("a::b");
        feed_soon(r, "::c|xxABCyy\r\nzz");
        EXPECT_EQ(co_await r.readuntil("::"), "a::");
        EXPECT_EQ(co_await r.readuntil("::"), "b::");  // the separator arrived in two pieces
        // Several: the shortest result wins, whatever the order they are given in.
        std::vector<std::string> pipe_or_abc{"ABC", "|"};
        EXPECT_EQ(co_await r.readuntil(pipe_or_abc), "c|");
        // The initializer-list overload; bound to a name first, since g++ 12
        // miscompiles an initializer list inside a co_await operand (DESIGN.md).
        Coro<std::string> until_b = r.readuntil({"ABC", "B"});
        EXPECT_EQ(co_await std::move(until_b), "xxAB");
        Coro<std::string> until_eol = r.readuntil({"\n", "\r\n"});
        EXPECT_EQ(co_await std::move(until_eol), "Cyy\r\n");
        r.feed_eof();
        try {
            co_await r.readuntil("\n");
            ADD_FAILURE() << "no IncompleteReadError";
        } catch (const IncompleteReadError& e) {
            EXPECT_EQ(e.partial, "zz");
            EXPECT_FALSE(e.expected.has_value());
        }
        EXPECT_TRUE(r.at_eof());
        EXPECT_THROW(co_await r.readuntil(""), ValueError);
        std::vector<std::string> none;
        EXPECT_THROW(co_await r.readuntil(none), ValueError);
    }());
}

TEST(StreamReader, ReadexactlyAndIncompleteReadError) {
    run([]() -> Coro<void> {
        StreamReader r;
        feed_soon(r, "0123");
        feed_soon(r, "456789abc", true);
        EXPECT_EQ(co_await r.readexactly(6), "012345");
        EXPECT_EQ(co_await r.readexactly(0), "");
        try {
            co_await r.readexactly(10);
            ADD_FAILURE() << "no IncompleteReadError";
        } catch (const EOFError& e) {  // IncompleteReadError is an EOFError, as in Python
            auto& incomplete = dynamic_cast<const IncompleteReadError&>(e);
            EXPECT_EQ(incomplete.partial, "6789abc");
            EXPECT_EQ(incomplete.expected, 10u);
            EXPECT_STREQ(e.what(), "7 bytes read on a total of 10 expected bytes");
        }
        EXPECT_EQ(r.buffer_size(), 0u);
        EXPECT_THROW(co_await r.readexactly(-1), ValueError);
    }());
}

TEST(StreamReader, LimitOverrun) {
    run([]() -> Coro<void> {
        StreamReader r(8);
        r.feed_data("0123456789abcdef");
        // Not found within the limit: the data stays for another read.
        try {
            co_await r.readuntil("\n");
            ADD_FAILURE() << "no LimitOverrunError";
        } catch (const LimitOverrunError& e) {
            EXPECT_EQ(e.consumed, 16u);
            EXPECT_STREQ(e.what(), "Separator is not found, and chunk exceed the limit");
        }
        EXPECT_EQ(r.buffer_size(), 16u);
        r.feed_data("xyz\nnext\n");
        try {
            co_await r.readuntil("\n");
            ADD_FAILURE() << "no LimitOverrunError";
        } catch (const LimitOverrunError& e) {
            EXPECT_EQ(e.consumed, 19u);
            EXPECT_STREQ(e.what(), "Separator is found, but chunk is longer than limit");
        }
        // readline turns it into ValueError and drops the long line, newline included.
        EXPECT_THROW(co_await r.readline(), ValueError);
        EXPECT_EQ(co_await r.readline(), "next\n");
        // Without a newline in the buffer, readline drops all of it.
        r.feed_data("abcdefghijkl");
        EXPECT_THROW(co_await r.readline(), ValueError);
        EXPECT_EQ(r.buffer_size(), 0u);
        // The limit does not count the separator.
        r.feed_data("12345678\n");
        EXPECT_EQ(co_await r.readline(), "12345678\n");
    }());
    EXPECT_THROW(StreamReader(0), ValueError);
}

TEST(StreamReader, ExceptionWakesTheWaiterAndStaysSet) {
    run([]() -> Coro<void> {
        StreamReader r;
        r.feed_data("partial");
        get_running_loop().call_soon([r]() mutable {
            r.set_exception(std::make_exception_ptr(ConnectionResetError(ECONNRESET, "peer")));
        });
        EXPECT_THROW(co_await r.readline(), ConnectionResetError);
        EXPECT_TRUE(r.exception() != nullptr);
        EXPECT_THROW(co_await r.read(), ConnectionResetError);  // even with bytes buffered, as asyncio
        EXPECT_THROW(co_await r.readexactly(1), ConnectionResetError);
    }());
}

TEST(StreamReader, OnlyOneCoroutineMayWait) {
    run([]() -> Coro<void> {
        StreamReader r;
        Task<std::string> first = create_task(r.readline());
        co_await sleep(0);  // first is waiting now
        EXPECT_THROW(co_await r.read(5), RuntimeError);
        r.feed_data("ok\n");
        EXPECT_EQ(co_await first, "ok\n");
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamReader, CancelledReadlineLosesNoData) {
    run([]() -> Coro<void> {
        StreamReader r;
        Task<std::string> pending = create_task(r.readline());
        co_await sleep(0);
        r.feed_data("hel");  // wakes it; cancelled before it runs
        pending.cancel();
        EXPECT_THROW(co_await pending, CancelledError);
        EXPECT_EQ(r.buffer_size(), 3u);
        feed_soon(r, "lo\n");
        EXPECT_EQ(co_await r.readline(), "hello\n");
    }());
    EXPECT_TRUE(all_tasks().empty());
}

TEST(StreamReader, BufferMemoryIsReleasedWhenDrained) {
    run([]() -> Coro<void> {
        StreamReader r;
        std::string big(100 * 1024, 'x');
        r.feed_data(big);
        r.feed_data("\ntail");
        EXPECT_GE(r.buffer_capacity(), big.size());
        std::string line = co_await r.readexactly(static_cast<std::ptrdiff_t>(big.size()) - 3);
        EXPECT_EQ(line.size(), big.size() - 3);
        // 8 bytes wait ("xxx\ntail"): the 100 KiB buffer is not kept for them.
        EXPECT_EQ(r.buffer_size(), 8u);
        EXPECT_LE(r.buffer_capacity(), 4096u);
        EXPECT_EQ(co_await r.readline(), "xxx\n");
        EXPECT_EQ(co_await r.read(4), "tail");
        EXPECT_EQ(r.buffer_size(), 0u);
        EXPECT_LE(r.buffer_capacity(), 4096u);
    }());
}

}  // namespace
}  // namespace tulip
