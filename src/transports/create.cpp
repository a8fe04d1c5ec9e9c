// loop.create_server / create_connection and their Unix variants, and
// create_datagram_endpoint: resolve, make the sockets, then hand them to a
// Server, a SocketTransport or a DatagramSocketTransport.
#include <netdb.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include "transports/datagram_transport.hpp"
#include "transports/server_state.hpp"
#include "transports/socket_transport.hpp"
#include "tulip/coro/coro.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/getaddrinfo.hpp"
#include "tulip/transports/server.hpp"

namespace tulip {

namespace {

// As asyncio, create_connection and create_datagram_endpoint return once
// connection_made has run (the protocol is ready to use). If it failed, or this
// wait is cancelled, the transport is closed.
template <class T>
Coro<std::pair<Ref<T>, BaseProtocol*>> when_made(Future<void> made, Ref<T> transport, BaseProtocol* protocol) {
    try {
        co_await made;
    } catch (...) {
        transport->close();
        throw;
    }
    co_return std::pair{std::move(transport), protocol};
}

Socket listening_socket(const AddrInfo& ai, const ServerOptions& options) {
    Socket sock(ai.family, ai.type, ai.proto);
    if (options.reuse_address) sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (options.reuse_port) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    // As asyncio: an IPv6 socket listens to IPv6 only, so that binding "" to both
    // families does not collide on the IPv4-mapped addresses.
    if (ai.family == AF_INET6) sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
    sock.bind(ai.address);
    sock.listen(options.backlog);
    sock.setblocking(false);
    return sock;
}

// A socket file left by an earlier run would make bind fail (asyncio removes it too).
void remove_stale_unix_socket(const Address& address) {
    if (address.family() != AF_UNIX) return;
    std::string path = address.host();
    if (path.empty() || path[0] == '\0') return;  // abstract: no file
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

Server make_server(EventLoop& loop, std::vector<Socket> sockets, ProtocolFactory factory,
                   const ServerOptions& options) {
    Server server(Ref<ServerState>(new ServerState(loop, std::move(sockets), std::move(factory), options.backlog)));
    if (options.start_serving) server.start_serving();
    return server;
}

}  // namespace

Coro<Server> EventLoop::create_server(ProtocolFactory factory, std::vector<std::string> hosts, std::uint16_t port,
                                      ServerOptions options) {
    if (hosts.empty()) hosts.emplace_back();
    std::vector<Socket> sockets;
    const std::string service = std::to_string(port);
    for (const std::string& host : hosts) {
        std::vector<AddrInfo> infos = co_await getaddrinfo(host, service, options.family, SOCK_STREAM, 0, options.flags);
        for (const AddrInfo& ai : infos) {
            // getaddrinfo may list one address twice (e.g. for /etc/hosts aliases).
            bool seen = false;
            for (const Socket& s : sockets) seen = seen || s.getsockname() == ai.address;
            if (seen && port != 0) continue;
            sockets.push_back(listening_socket(ai, options));
        }
    }
    co_return make_server(*this, std::move(sockets), std::move(factory), options);
}

Coro<Server> EventLoop::create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                                      ServerOptions options) {
    std::vector<std::string> hosts{std::move(host)};
    co_return co_await create_server(std::move(factory), std::move(hosts), port, options);
}

Coro<Server> EventLoop::create_server(ProtocolFactory factory, Socket sock, ServerOptions options) {
    sock.setblocking(false);
    std::vector<Socket> sockets;
    sockets.push_back(std::move(sock));
    co_return make_server(*this, std::move(sockets), std::move(factory), options);
}

Coro<Server> EventLoop::create_unix_server(ProtocolFactory factory, std::string path, ServerOptions options) {
    Socket sock(AF_UNIX, SOCK_STREAM);
    const Address address = Address::unix_path(path);
    remove_stale_unix_socket(address);
    sock.bind(address);
    sock.listen(options.backlog);
    co_return co_await create_server(std::move(factory), std::move(sock), options);
}

Coro<std::pair<Ref<Transport>, BaseProtocol*>> EventLoop::create_connection(ProtocolFactory factory, Socket sock) {
    sock.setblocking(false);
    const bool tcp = sock.family() != AF_UNIX;
    std::unique_ptr<BaseProtocol> protocol = factory();
    BaseProtocol* p = protocol.get();
    Future<void> made(*this);
    std::optional<Future<void>> waiter = made;
    Ref<Transport> transport(
        SocketTransport::create(*this, std::move(sock), std::move(protocol), tcp, nullptr, std::move(waiter)));
    co_return co_await when_made(std::move(made), std::move(transport), p);
}

Coro<std::pair<Ref<Transport>, BaseProtocol*>> EventLoop::create_connection(ProtocolFactory factory,
                                                                            std::string host, std::uint16_t port,
                                                                            ConnectionOptions options) {
    std::exception_ptr last;
    std::vector<AddrInfo> infos = co_await getaddrinfo(host, std::to_string(port), options.family, SOCK_STREAM);
    for (const AddrInfo& ai : infos) {
        Socket sock(ai.family, ai.type, ai.proto);
        sock.setblocking(false);
        try {
            if (options.local_addr) sock.bind(*options.local_addr);
            co_await sock_connect(sock, ai.address);
        } catch (const OSError&) {
            last = std::current_exception();
            continue;
        }
        co_return co_await create_connection(std::move(factory), std::move(sock));
    }
    if (last) std::rethrow_exception(last);
    throw OSError(ENOENT, std::generic_category(), fmt::format("getaddrinfo returns an empty list for {}", host));
}

Coro<std::pair<Ref<Transport>, BaseProtocol*>> EventLoop::create_unix_connection(ProtocolFactory factory,
                                                                                 std::string path) {
    Socket sock(AF_UNIX, SOCK_STREAM);
    sock.setblocking(false);
    co_await sock_connect(sock, Address::unix_path(path));
    co_return co_await create_connection(std::move(factory), std::move(sock));
}

// As asyncio's, minus name resolution: the family comes from the addresses (or
// options.family when there are none); bind to local_addr, connect to remote_addr.
Coro<std::pair<Ref<DatagramTransport>, BaseProtocol*>> EventLoop::create_datagram_endpoint(
    ProtocolFactory factory, std::optional<Address> local_addr, std::optional<Address> remote_addr,
    DatagramEndpointOptions options) {
    if (local_addr && remote_addr && local_addr->family() != remote_addr->family()) {
        throw ValueError("local_addr and remote_addr are of different families");
    }
    int family = local_addr ? local_addr->family() : remote_addr ? remote_addr->family() : AF_UNSPEC;
    if (family == AF_UNSPEC) family = options.family;
    if (family == AF_UNSPEC || (options.family != AF_UNSPEC && options.family != family)) {
        throw ValueError("unexpected address family");
    }
    Socket sock(family, SOCK_DGRAM);
    sock.setblocking(false);
    if (options.reuse_port) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    if (options.allow_broadcast) sock.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
    if (local_addr) {
        remove_stale_unix_socket(*local_addr);
        sock.bind(*local_addr);
    }
    if (remote_addr) co_await sock_connect(sock, *remote_addr);

    std::unique_ptr<BaseProtocol> protocol = factory();
    BaseProtocol* p = protocol.get();
    Future<void> made(*this);
    std::optional<Future<void>> waiter = made;
    Ref<DatagramTransport> transport(DatagramSocketTransport::create(*this, std::move(sock), std::move(protocol),
                                                                     std::move(remote_addr), std::move(waiter)));
    co_return co_await when_made(std::move(made), std::move(transport), p);
}

}  // namespace tulip
