// The stream transport's write buffer on its own: byte order across the part a
// send may hold (`sending`) and the chunks behind it, what a writev gathers, and
// that bytes handed to a completion send stay put while later writes arrive.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transports/write_buffer.hpp"

namespace tulip {
namespace {

// What a writev of gather() would send, without consuming it.
std::string gathered(const WriteBuffer& buffer, int max = 64) {
    std::vector<iovec> iov(static_cast<std::size_t>(max));
    int n = buffer.gather(iov.data(), max);
    std::string out;
    for (int i = 0; i < n; ++i) out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    return out;
}

TEST(WriteBuffer, SmallWritesLeaveAsOnePiece) {
    WriteBuffer buffer;
    buffer.append("ab");
    buffer.append("");
    buffer.append("cd");
    buffer.append(std::string(100, 'e'));
    iovec iov[4];
    ASSERT_EQ(buffer.gather(iov, 4), 1);
    EXPECT_EQ(buffer.size(), 104u);
    EXPECT_EQ(gathered(buffer), "abcd" + std::string(100, 'e'));
}

TEST(WriteBuffer, ConsumeAcrossPiecesKeepsTheOrder) {
    WriteBuffer buffer;
    std::string big(10000, 'x');
    buffer.append("head-");
    buffer.append(big);  // too big to join: a chunk of its own
    buffer.append("-tail");
    iovec iov[4];
    EXPECT_EQ(buffer.gather(iov, 4), 3);
    EXPECT_EQ(buffer.gather(iov, 2), 2);  // no more than asked
    std::string all = "head-" + big + "-tail";
    ASSERT_EQ(gathered(buffer), all);
    buffer.consume(3);
    EXPECT_EQ(gathered(buffer), all.substr(3));
    buffer.consume(5000);
    EXPECT_EQ(gathered(buffer), all.substr(5003));
    buffer.append("+more");
    all += "+more";
    EXPECT_EQ(gathered(buffer), all.substr(5003));
    EXPECT_EQ(buffer.size(), all.size() - 5003);
    buffer.consume(buffer.size());
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.gather(iov, 4), 0);
}

TEST(WriteBuffer, BytesInFlightStayPutWhileWritesArrive) {
    WriteBuffer buffer;
    buffer.append("first ");
    buffer.append("message");
    std::string_view flight = buffer.next_send();
    ASSERT_EQ(flight, "first message");
    const char* where = flight.data();
    std::string later;
    for (int i = 0; i < 1000; ++i) {  // enough to move any string they had joined
        std::string piece = std::to_string(i) + ",";
        buffer.append(piece);
        later += piece;
    }
    EXPECT_EQ(std::string_view(where, flight.size()), "first message");  // ASan: still alive
    EXPECT_EQ(buffer.size(), flight.size() + later.size());
    buffer.sent(6);  // short: "message" is left, the send is over
    EXPECT_EQ(buffer.next_send(), "message" + later);  // the rest, and what came meanwhile
    buffer.sent(7 + later.size());
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.next_send(), "");
}

// The halves of a 16 KiB echo, written in one iteration: one send, not two.
TEST(WriteBuffer, LargeWritesBeforeASendGoAsOne) {
    WriteBuffer buffer;
    std::string first(8192, 'a'), second(8192, 'b'), third(5000, 'c');
    buffer.append(first);
    buffer.append(second);
    EXPECT_EQ(buffer.next_send(), first + second);
    buffer.sent(100);  // short
    buffer.append(third);
    EXPECT_EQ(buffer.next_send(), (first + second).substr(100) + third);
    buffer.sent(buffer.size());
    EXPECT_TRUE(buffer.empty());
}

TEST(WriteBuffer, WritesAfterAShortSendJoinItsRest) {
    WriteBuffer buffer;
    buffer.append("abcdef");
    ASSERT_EQ(buffer.next_send(), "abcdef");
    buffer.sent(2);  // nothing in flight now
    buffer.append("gh");
    EXPECT_EQ(gathered(buffer), "cdefgh");
    EXPECT_EQ(buffer.next_send(), "cdefgh");
    buffer.sent(6);
    EXPECT_TRUE(buffer.empty());
}

TEST(WriteBuffer, DropUnsentKeepsOnlyTheSendInFlight) {
    WriteBuffer buffer;
    buffer.append("in flight");
    ASSERT_EQ(buffer.next_send(), "in flight");
    buffer.append("waiting");
    buffer.drop_unsent();
    EXPECT_EQ(buffer.size(), 9u);
    buffer.sent(9);
    EXPECT_TRUE(buffer.empty());

    buffer.append("nobody holds this");
    buffer.drop_unsent();
    EXPECT_TRUE(buffer.empty());
}

}  // namespace
}  // namespace tulip
