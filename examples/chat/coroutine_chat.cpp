// coroutine_chat: seed 002's ChatServer on tulip's event loop, as asyncio would
// write it: start_server runs serve_client as a task per connection, which reads
// lines (StreamReader::readline) and broadcasts them; a second task per client
// (send_queued) takes messages from that client's tulip::Queue and writes them
// (StreamWriter write + drain). A broadcast only puts into queues, so a client
// that reads slowly holds up its own writer task and nobody else; once its queue
// passes the bound it is dropped. SIGINT and SIGTERM come through
// loop.add_signal_handler and the console through loop.add_reader.
#include <unistd.h>

#include <any>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chat/servers.hpp"
#include "tulip/coro.hpp"
#include "tulip/streams.hpp"
#include "tulip/transports.hpp"

namespace chat {
namespace {

using tulip::Coro;
using tulip::StreamReader;
using tulip::StreamWriter;

// One client of the room. Shared by its reading task and its writing task.
struct Member {
    Member(StreamWriter w, std::string n) : writer(std::move(w)), name(std::move(n)) {}
    StreamWriter writer;
    std::string name;              // "ip:port", as the seed formats the sender
    tulip::Queue<Message> outbox;  // a null Message: nothing more will come
    std::size_t queued = 0;        // bytes in outbox
    bool leaving = false;          // gets no more broadcasts
    tulip::Event flushed;          // send_queued wrote everything up to the null Message
    std::optional<tulip::Task<void>> sender;
};

class ChatRoom {
public:
    explicit ChatRoom(const Options& options) : options_(options) {}

    // start_server's client_connected: the whole life of one client.
    Coro<void> serve_client(StreamReader reader, StreamWriter writer);
    // The server stops: every client gets what was queued for it, then EOF.
    void close_all();

private:
    Coro<Reason> read_lines(Member& member, StreamReader& reader);
    static Coro<void> send_queued(std::shared_ptr<Member> member);
    static Coro<void> linger(std::shared_ptr<Member> member, StreamReader reader, bool eof_seen);
    void broadcast(const Member& sender, std::string_view line);
    void drop(Member& member);
    void forget(const Member& member);

    const Options& options_;
    std::vector<std::shared_ptr<Member>> members_;
};

Coro<void> ChatRoom::serve_client(StreamReader reader, StreamWriter writer) {
    const auto peer = std::any_cast<tulip::Address>(writer.get_extra_info("peername"));
    auto member = std::make_shared<Member>(writer, sender_name(peer));
    members_.push_back(member);
    member->sender = tulip::create_task(send_queued(member));
    say(member->name + " joined");

    const Reason why = co_await read_lines(*member, reader);
    if (member->leaving) {
        // Dropped (too slow) or the server is stopping: its connection is closing already.
    } else if (why == Reason::reset) {
        say_left(member->name, why);
        member->leaving = true;
        member->sender->cancel();
        writer.transport().abort();
    } else {
        // quit, EOF or a line too long: what was queued for it still goes out, then
        // a lingering close (write_eof, read and drop until its EOF), so that closing
        // with unread input does not turn into a RST that destroys the goodbye.
        say_left(member->name, why);
        member->leaving = true;
        if (why == Reason::too_long) {
            member->outbox.put_nowait(std::make_shared<const std::string>(line_too_long(options_.max_line)));
        }
        member->outbox.put_nowait(nullptr);
        try {
            Coro<void> lingering = linger(member, reader, why == Reason::eof);
            co_await tulip::wait_for(std::move(lingering), std::chrono::duration<double>(linger_time).count());
        } catch (const tulip::OSError&) {
            writer.transport().abort();  // it took too long (TimeoutError) or went away
        }
        member->sender->cancel();  // finished already, unless it timed out
        writer.close();
    }
    forget(*member);
}

Coro<Reason> ChatRoom::read_lines(Member& member, StreamReader& reader) {
    for (;;) {
        std::string line;
        try {
            line = co_await reader.readline();
        } catch (const tulip::ValueError&) {  // longer than the reader's limit (max_line)
            co_return Reason::too_long;
        } catch (const tulip::OSError&) {
            co_return Reason::reset;
        }
        if (member.leaving) co_return Reason::server_stop;  // dropped or stopping meanwhile
        if (line.empty()) co_return Reason::eof;
        const bool complete = line.back() == '\n';
        const std::string_view text = strip_line_end(line);
        if (complete && is_quit(text)) co_return Reason::quit;
        broadcast(member, text);  // at EOF, what came after the last "\n" too (as the seed)
        if (!complete) co_return Reason::eof;
    }
}

Coro<void> ChatRoom::send_queued(std::shared_ptr<Member> member) {
    try {
        for (;;) {
            const Message message = co_await member->outbox.get();
            if (!message) break;
            member->queued -= message->size();
            member->writer.write(*message);
            co_await member->writer.drain();  // waits while this client reads slowly
        }
    } catch (const std::exception&) {
        // The connection is gone; its reading task finds out on its own.
    }
    member->flushed.set();
}

Coro<void> ChatRoom::linger(std::shared_ptr<Member> member, StreamReader reader, bool eof_seen) {
    co_await member->flushed.wait();
    if (member->writer.is_closing()) co_return;
    member->writer.write_eof();  // sent once the transport's buffer is flushed
    if (eof_seen) co_return;
    // Not `while (!(co_await ...).empty()) {}`: g++ 12 miscompiles a while loop whose
    // condition co_awaits and whose body is empty (SIGILL on resume, -O0 and -O2).
    for (;;) {
        const std::string dropped = co_await reader.read(64 * 1024);
        if (dropped.empty()) break;
    }
}

void ChatRoom::broadcast(const Member& sender, std::string_view line) {
    const Message message = format_message(sender.name, line);
    if (!options_.quiet) say(std::string_view(*message).substr(0, message->size() - 1));
    // drop() leaves members_ as it is (serve_client forgets the member), so this loop is safe.
    for (const auto& member : members_) {
        if (member->leaving) continue;
        if (member->queued + message->size() > options_.max_queue) {
            drop(*member);
            continue;
        }
        member->queued += message->size();
        member->outbox.put_nowait(message);
    }
}

void ChatRoom::drop(Member& member) {
    say_left(member.name, Reason::too_slow);
    member.leaving = true;
    member.sender->cancel();
    member.writer.transport().abort();  // its reading task then sees the end of its stream
}

void ChatRoom::forget(const Member& member) {
    std::erase_if(members_, [&](const std::shared_ptr<Member>& m) { return m.get() == &member; });
}

void ChatRoom::close_all() {
    for (const auto& member : members_) {
        if (!member->leaving) say_left(member->name, Reason::server_stop);
        member->leaving = true;
        member->sender->cancel();
        try {
            // The queue goes to the transport, which sends it before closing.
            while (!member->outbox.empty()) {
                if (const Message message = member->outbox.get_nowait()) member->writer.write(*message);
            }
        } catch (const std::exception&) {
            // Half-closed already (lingering) or lost: nothing more can go out.
        }
        member->writer.close();
        member->flushed.set();
    }
}

// The console: "quit" on stdin stops the server; at its EOF, only signals do.
void watch_console(tulip::EventLoop& loop, Console& console, tulip::Event& stop) {
    if (!stdin_is_watchable()) return;
    loop.add_reader(STDIN_FILENO, [&loop, &console, &stop] {
        char data[1024];
        const ssize_t n = ::read(STDIN_FILENO, data, sizeof data);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) {
            loop.remove_reader(STDIN_FILENO);
        } else if (console.feed(std::string_view(data, static_cast<std::size_t>(n)))) {
            say("quit: stopping");
            stop.set();
        }
    });
}

Coro<int> serve(const Options& options) {
    auto room = std::make_shared<ChatRoom>(options);
    const tulip::ClientConnectedCallback client_connected = [room](StreamReader reader, StreamWriter writer) {
        return room->serve_client(std::move(reader), std::move(writer));
    };
    tulip::Server server = co_await tulip::start_server(client_connected, options.host, options.port, options.max_line);
    const tulip::Address address = server.sockets().front().getsockname();
    say("Listening on " + address.to_string());
    say("Connect with: nc " + address.host() + " " + std::to_string(address.port()) +
        "   (from several terminals; type quit here, or Ctrl-C, to stop)");

    tulip::EventLoop& loop = tulip::get_running_loop();
    tulip::Event stop;
    Console console;
    watch_console(loop, console, stop);
    loop.add_signal_handler(SIGINT, [&stop] {
        say("SIGINT: stopping");
        stop.set();
    });
    loop.add_signal_handler(SIGTERM, [&stop] {
        say("SIGTERM: stopping");
        stop.set();
    });
    co_await stop.wait();

    loop.remove_reader(STDIN_FILENO);
    loop.remove_signal_handler(SIGINT);
    loop.remove_signal_handler(SIGTERM);
    server.close();  // no new clients
    room->close_all();
    bool closed_in_time = true;
    try {
        Coro<void> closed = server.wait_closed();
        co_await tulip::wait_for(std::move(closed), std::chrono::duration<double>(linger_time).count());
    } catch (const tulip::TimeoutError&) {
        closed_in_time = false;
    }
    if (!closed_in_time) {
        server.abort_clients();  // clients that would not take their last messages
        co_await server.wait_closed();
    }
    say("Server stopped");
    co_return 0;
}

}  // namespace

int serve_coroutine(const Options& options) {
    return tulip::run(serve(options));
}

}  // namespace chat
