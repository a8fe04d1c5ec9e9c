// transports: create_datagram_endpoint — UDP echo, errors that go to
// error_received (ICMP port unreachable), and flow control on a full socket.
#include <unistd.h>

#include "transport_test.hpp"

namespace tulip::transport_test {
namespace {

class Datagram : public TransportTest {};

// What a datagram protocol saw.
struct DatagramLog {
    std::vector<std::string> datagrams;
    std::vector<Address> senders;
    std::vector<std::exception_ptr> errors;
    std::vector<char> flow;  // 'P' / 'R'
    int made = 0, lost = 0;
    std::size_t want = 0;
    Event enough, error, lost_event, resumed;
};

struct DatagramRecorder : DatagramProtocol {
    DatagramLog& log;
    DatagramTransport* transport = nullptr;
    bool echo = false;
    DatagramRecorder(DatagramLog& l, bool e) : log(l), echo(e) {}
    void connection_made(DatagramTransport& t) override {
        transport = &t;
        ++log.made;
    }
    void datagram_received(std::string_view data, const Address& addr) override {
        log.datagrams.emplace_back(data);
        log.senders.push_back(addr);
        if (echo) transport->sendto(data, addr);
        if (log.datagrams.size() >= log.want) log.enough.set();
    }
    void error_received(std::exception_ptr e) override {
        log.errors.push_back(e);
        log.error.set();
    }
    void pause_writing() override { log.flow.push_back('P'); }
    void resume_writing() override {
        log.flow.push_back('R');
        log.resumed.set();
    }
    void connection_lost(std::exception_ptr e) override {
        EXPECT_FALSE(e);
        ++log.lost;
        log.lost_event.set();
    }
};

ProtocolFactory recorder(DatagramLog& log, bool echo = false) {
    return [&log, echo] { return std::make_unique<DatagramRecorder>(log, echo); };
}

Coro<void> udp_echo(DatagramLog& server_log, DatagramLog& client_log) {
    EventLoop& loop = get_running_loop();
    auto [server, sp] = co_await loop.create_datagram_endpoint(recorder(server_log, true),
                                                               Address::ipv4("127.0.0.1", 0));
    EXPECT_EQ(server_log.made, 1);  // connection_made ran before the endpoint was returned
    Address server_addr = std::any_cast<Address>(server->get_extra_info("sockname"));
    EXPECT_FALSE(server->get_extra_info("peername").has_value());
    auto [client, cp] = co_await loop.create_datagram_endpoint(recorder(client_log), std::nullopt, server_addr);
    EXPECT_EQ(std::any_cast<Address>(client->get_extra_info("peername")), server_addr);
    EXPECT_NE(std::any_cast<const Socket*>(client->get_extra_info("socket")), nullptr);
    Address client_addr = std::any_cast<Address>(client->get_extra_info("sockname"));
    // Connected: another address is refused; the connected one, or none, goes.
    EXPECT_THROW(client->sendto("x", Address::ipv4("127.0.0.1", 9)), ValueError);

    client_log.want = 21;
    for (int i = 0; i < 20; ++i) client->sendto("datagram " + std::to_string(i), i % 2 ? server_addr : Address());
    client->sendto("");  // an empty datagram is a datagram
    co_await client_log.enough.wait();
    co_await sleep(0.01);
    client->close();
    client->close();
    server->abort();
    co_await client_log.lost_event.wait();
    co_await server_log.lost_event.wait();
    EXPECT_TRUE(client->is_closing());
    for (const Address& a : server_log.senders) EXPECT_EQ(a, client_addr);
}

TEST_F(Datagram, UdpEcho) {
    DatagramLog server_log, client_log;
    run_bounded(udp_echo(server_log, client_log));
    ASSERT_EQ(client_log.datagrams.size(), 21u);  // loopback UDP: none lost, in order
    for (int i = 0; i < 20; ++i) EXPECT_EQ(client_log.datagrams[i], "datagram " + std::to_string(i));
    EXPECT_EQ(client_log.datagrams[20], "");
    EXPECT_EQ(server_log.datagrams, client_log.datagrams);
    EXPECT_TRUE(client_log.errors.empty());
    EXPECT_EQ(server_log.lost, 1);
    EXPECT_EQ(client_log.lost, 1);
}

// A connected UDP socket sending to a closed port gets ECONNREFUSED (from the
// ICMP reply) on a later call: error_received, and the endpoint stays open.
Coro<void> refused(DatagramLog& log) {
    EventLoop& loop = get_running_loop();
    Address closed_port;
    {
        Socket s(AF_INET, SOCK_DGRAM);
        s.bind(Address::ipv4("127.0.0.1", 0));
        closed_port = s.getsockname();
    }
    auto [t, p] = co_await loop.create_datagram_endpoint(recorder(log), std::nullopt, closed_port);
    for (int i = 0; i < 50 && log.errors.empty(); ++i) {
        t->sendto("anyone?");
        co_await sleep(0.01);
    }
    EXPECT_FALSE(t->is_closing());
    EXPECT_EQ(log.lost, 0);
    t->close();
    co_await log.lost_event.wait();
}

TEST_F(Datagram, IcmpPortUnreachableGoesToErrorReceived) {
    DatagramLog log;
    run_bounded(refused(log));
    ASSERT_FALSE(log.errors.empty());
    EXPECT_THROW(std::rethrow_exception(log.errors.front()), ConnectionRefusedError);
    EXPECT_EQ(log.lost, 1);
}

// A Unix datagram peer that does not read fills up: sendto queues, the protocol
// is paused above the high-water mark, and resumed once the reader drains it;
// every datagram arrives, in order.
Coro<void> datagram_flow(DatagramLog& log, std::vector<std::string>& received, const std::string& path) {
    EventLoop& loop = get_running_loop();
    Socket reader(AF_UNIX, SOCK_DGRAM);
    reader.bind(Address::unix_path(path));
    reader.setblocking(false);
    auto [t, p] = co_await loop.create_datagram_endpoint(recorder(log), std::nullopt, Address::unix_path(path));
    t->set_write_buffer_limits(16 * 1024, 4 * 1024);
    EXPECT_EQ(t->get_write_buffer_limits(), (std::pair<std::size_t, std::size_t>{4 * 1024, 16 * 1024}));
    const int count = 200;
    for (int i = 0; i < count; ++i) {
        std::string d(2000, static_cast<char>('A' + i % 26));
        d.replace(0, std::to_string(i).size(), std::to_string(i));
        t->sendto(d);
    }
    EXPECT_GT(t->get_write_buffer_size(), 16u * 1024);
    EXPECT_EQ(log.flow, std::vector<char>{'P'});
    while (received.size() < count) {
        std::string d = co_await loop.sock_recv(reader, 4096);
        received.push_back(d);
    }
    co_await log.resumed.wait();
    EXPECT_EQ(t->get_write_buffer_size(), 0u);
    t->close();
    co_await log.lost_event.wait();
}

TEST_F(Datagram, UnixDatagramFlowControl) {
    DatagramLog log;
    std::vector<std::string> received;
    std::string path = "/tmp/tulip-tport-dgram-" + std::to_string(::getpid()) + ".sock";
    // A run killed before its unlink leaves the file, and pids come round again
    // (CI failed with EADDRINUSE): clear it first, and remove it however this ends.
    ::unlink(path.c_str());
    struct UnlinkAtExit {
        const std::string& path;
        ~UnlinkAtExit() { ::unlink(path.c_str()); }
    } unlink_at_exit{path};
    run_bounded(datagram_flow(log, received, path));
    ASSERT_EQ(received.size(), 200u);
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(received[i].size(), 2000u);
        EXPECT_EQ(received[i].substr(0, std::to_string(i).size()), std::to_string(i));
    }
    EXPECT_EQ(log.flow, (std::vector<char>{'P', 'R'}));
    EXPECT_TRUE(log.errors.empty());
}

TEST_F(Datagram, AddressFamilyIsRequired) {
    auto no_address = [] () -> Coro<void> {
        DatagramLog log;
        co_await get_running_loop().create_datagram_endpoint(recorder(log), std::nullopt, std::nullopt);
    };
    EXPECT_THROW(run_bounded(no_address()), ValueError);
}

}  // namespace
}  // namespace tulip::transport_test
