// chat-server (seed 002's ChatServer), both --impl values, driven over real
// sockets: every line reaches every client (the sender too) in order and in the
// seed's format; "quit", EOF and a reset each end only that client; a line
// longer than --max-line is refused with a message and a disconnect.
#include <thread>

#include "test_chat_support.hpp"

namespace tulip::testing {
namespace {

class Chat : public ::testing::TestWithParam<std::string> {};

TEST_P(Chat, EveryLineReachesEveryClientInOrder) {
    ChatServer server(GetParam());
    ChatClient a(server), b(server), c(server);

    a.send("first\nsecond\r\n");  // \n and \r\n both end a line
    for (ChatClient* reader : {&a, &b, &c}) {
        expect_message(reader->read_message(), a, "first");
        expect_message(reader->read_message(), a, "second");
    }
    b.send("from b\n");
    expect_message(b.read_message(), b, "from b");  // so that c's lines come after it
    c.send("from c\n\n");                           // an empty line is a message too
    for (ChatClient* reader : {&a, &b, &c}) {
        if (reader != &b) expect_message(reader->read_message(), b, "from b");
        expect_message(reader->read_message(), c, "from c");
        expect_message(reader->read_message(), c, "");
    }
    // A line split over several sends is one message; several lines in one send are several.
    a.send("spl");
    std::this_thread::sleep_for(20ms);
    a.send("it\nx\ny\n");
    for (ChatClient* reader : {&a, &b, &c}) {
        expect_message(reader->read_message(), a, "split");
        expect_message(reader->read_message(), a, "x");
        expect_message(reader->read_message(), a, "y");
    }
    EXPECT_TRUE(server.logged(" " + a.name + "\nsplit\n")) << "the log has each message";
    EXPECT_EQ(server.wait_exit(SIGTERM), 0) << server.process.err();
}

TEST_P(Chat, ManyMessagesFromSeveralSendersKeepEachSendersOrder) {
    ChatServer server(GetParam(), {"--quiet"});
    ChatClient a(server), b(server), c(server);
    constexpr int count = 200;
    std::string burst_a, burst_b;
    for (int i = 0; i < count; ++i) {
        burst_a += "a" + std::to_string(i) + "\n";
        burst_b += "b" + std::to_string(i) + "\n";
    }
    a.send(burst_a);
    b.send(burst_b);
    std::vector<std::vector<std::string>> seen(3);
    int reader_index = 0;
    for (ChatClient* reader : {&a, &b, &c}) {
        int next_a = 0, next_b = 0;
        for (int i = 0; i < 2 * count; ++i) {
            const Received r = reader->read_message();
            seen[reader_index].push_back(r.text);
            if (r.sender == a.name) {
                EXPECT_EQ(r.text, "a" + std::to_string(next_a++));
            } else {
                EXPECT_EQ(r.sender, b.name);
                EXPECT_EQ(r.text, "b" + std::to_string(next_b++));
            }
        }
        ++reader_index;
    }
    // One room, one order: every client saw the interleaving the server chose.
    EXPECT_EQ(seen[0], seen[1]);
    EXPECT_EQ(seen[0], seen[2]);
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

TEST_P(Chat, QuitDisconnectsOnlyThatClient) {
    ChatServer server(GetParam());
    ChatClient a(server), b(server), c(server);
    b.send("bye all\nquit\nnot sent\n");  // nothing after "quit" is broadcast
    expect_message(b.read_message(), b, "bye all");
    EXPECT_TRUE(b.sees_eof());
    EXPECT_TRUE(server.logged(b.name + " left (quit)"));

    a.send("still here\n");
    for (ChatClient* reader : {&a, &c}) {
        expect_message(reader->read_message(), b, "bye all");
        expect_message(reader->read_message(), a, "still here");
    }
    c.send("quit\r\n");  // telnet's line end
    EXPECT_TRUE(c.sees_eof());
    a.send("alone\n");
    expect_message(a.read_message(), a, "alone");
    ASSERT_TRUE(server.logged(" " + a.name + "\nalone\n"));  // the log is complete up to here
    EXPECT_EQ(server.process.out().find("not sent"), std::string::npos);
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

TEST_P(Chat, EofDisconnectsOnlyThatClientAndItsLastLineCounts) {
    ChatServer server(GetParam());
    ChatClient a(server), b(server), c(server);
    b.send("no newline at the end");
    b.sock.shutdown(SHUT_WR);
    // The server broadcasts the unfinished line, b included (it can still read), then closes.
    expect_message(b.read_message(), b, "no newline at the end");
    EXPECT_TRUE(b.sees_eof());
    EXPECT_TRUE(server.logged(b.name + " left (EOF)"));

    expect_message(c.read_message(), b, "no newline at the end");
    c.sock.close();  // a plain close (nothing unread, so a FIN): EOF too
    EXPECT_TRUE(server.logged(c.name + " left (EOF)"));
    a.send("who is left?\n");
    expect_message(a.read_message(), b, "no newline at the end");
    expect_message(a.read_message(), a, "who is left?");
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

TEST_P(Chat, AClientThatResetsItsConnectionDoesNotHurtTheServer) {
    ChatServer server(GetParam());
    ChatClient a(server), b(server), c(server);
    b.send("hello\n");
    reset_and_close(b.sock);
    EXPECT_TRUE(server.logged(b.name + " left ("));
    a.send("after the reset\n");
    for (ChatClient* reader : {&a, &c}) {
        const Received first = reader->read_message();
        if (first.text == "hello") {  // b's line, if the server read it before the reset
            expect_message(first, b, "hello");
            expect_message(reader->read_message(), a, "after the reset");
        } else {
            expect_message(first, a, "after the reset");
        }
    }
    ChatClient d(server);  // still accepting
    d.send("new\n");
    expect_message(d.read_message(), d, "new");
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

TEST_P(Chat, ALineOfMaxLineBytesIsAcceptedOneMoreIsRefused) {
    ChatServer server(GetParam(), {"--max-line", "1024", "--quiet"});
    ChatClient a(server), b(server);
    const std::string longest(1024, 'x');
    b.send(longest + "\n");
    expect_message(a.read_message(), b, longest);
    expect_message(b.read_message(), b, longest);

    b.send(std::string(1025, 'y') + "\nnever read\n");
    EXPECT_EQ(b.read_line(), "line too long (max 1024 bytes)");
    EXPECT_TRUE(b.sees_eof());
    EXPECT_TRUE(server.logged(b.name + " left (line too long)"));
    a.send("ok\n");
    expect_message(a.read_message(), a, "ok");  // nothing of b's long line reached a
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

TEST_P(Chat, AnEndlessLineIsRefusedAtTheDefault64KiB) {
    ChatServer server(GetParam(), {"--quiet"});
    ChatClient a(server), b(server);
    b.send(std::string(70000, 'z'));  // no newline: never buffered past the limit
    EXPECT_EQ(b.read_line(), "line too long (max 65536 bytes)");
    EXPECT_TRUE(b.sees_eof());
    a.send("ok\n");
    expect_message(a.read_message(), a, "ok");
    EXPECT_EQ(server.wait_exit(SIGTERM), 0);
}

INSTANTIATE_TEST_SUITE_P(Impl, Chat, ::testing::ValuesIn(chat_impls));

TEST(ChatServerCli, HelpNamesTheImplementations) {
    Process help("chat-server", {"--help"});
    ASSERT_EQ(help.wait(3s), 0);
    EXPECT_NE(help.out().find("--impl"), std::string::npos) << help.out();
    EXPECT_NE(help.out().find("coroutine"), std::string::npos);
    Process wrong("chat-server", {"--impl", "threads"});
    EXPECT_NE(wrong.wait(3s), 0);
}

}  // namespace
}  // namespace tulip::testing
