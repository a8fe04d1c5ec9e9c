// The loop's socket coroutines (asyncio's loop.sock_*): try the syscall, and only
// on EAGAIN wait for readiness (mio's order). The wait is an IoWait on the loop,
// which registers the descriptor once and keeps it registered (DESIGN.md).
#include <sys/socket.h>

#include <cerrno>

#include <fmt/format.h>

#include "sys/syscalls.hpp"
#include "tulip/coro/coro.hpp"
#include "tulip/coro/io_wait.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace {

void require_nonblocking(const Socket& sock) {
    if (sock.getblocking()) throw ValueError("the socket must be non-blocking");
}

using sys::would_block;

}  // namespace

Coro<std::pair<Socket, Address>> EventLoop::sock_accept(Socket& sock) {
    require_nonblocking(sock);
    for (;;) {
        sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = sys::accept(sock.fileno(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK);
        if (fd >= 0) {
            co_return std::pair{Socket::adopt(fd, 0.0), Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len)};
        }
        if (!would_block(fd)) raise_os_error(-fd, "accept");
        co_await IoWait(*this, sock.fileno(), EVENT_READ);
    }
}

Coro<void> EventLoop::sock_connect(Socket& sock, Address address) {
    require_nonblocking(sock);
    int r = sys::connect(sock.fileno(), address.sockaddr_ptr(), address.size());
    if (r == 0) co_return;
    if (r != -EINPROGRESS) raise_os_error(-r, fmt::format("connect {}", address.to_string()));
    co_await IoWait(*this, sock.fileno(), EVENT_WRITE);
    if (int err = sock.getsockopt(SOL_SOCKET, SO_ERROR); err != 0) {
        raise_os_error(err, fmt::format("connect {}", address.to_string()));
    }
}

Coro<std::size_t> EventLoop::sock_recv_into(Socket& sock, std::span<char> buffer) {
    require_nonblocking(sock);
    const int fd = sock.fileno();
    // The last read was short and nothing came since: wait first, as a recv now
    // would only say EAGAIN (a third of the syscalls of an echo server).
    if (read_drained(fd)) co_await IoWait(*this, fd, EVENT_READ);
    for (;;) {
        ssize_t n = sys::recv(fd, buffer.data(), buffer.size(), 0);
        if (n >= 0) {
            if (n > 0 && static_cast<std::size_t>(n) < buffer.size()) note_read_drained(fd);
            co_return static_cast<std::size_t>(n);
        }
        if (!would_block(n)) raise_os_error(static_cast<int>(-n), "recv");
        co_await IoWait(*this, fd, EVENT_READ);
    }
}

// Reads into the loop's scratch buffer and copies out what came: no buffer is
// held while the socket is idle, and the string is exactly as long as the data.
Coro<std::string> EventLoop::sock_recv(Socket& sock, std::size_t nbytes) {
    std::span<char> scratch = scratch_buffer();
    if (nbytes > scratch.size()) {  // larger than the scratch buffer: read in place
        std::string data(nbytes, '\0');
        data.resize(co_await sock_recv_into(sock, data));
        co_return data;
    }
    std::size_t n = co_await sock_recv_into(sock, scratch.first(nbytes));
    co_return std::string(scratch.data(), n);
}

Coro<void> EventLoop::sock_sendall(Socket& sock, std::string_view data) {
    require_nonblocking(sock);
    while (!data.empty()) {
        ssize_t n = sys::send(sock.fileno(), data.data(), data.size(), 0);
        if (n >= 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
        } else if (would_block(n)) {
            co_await IoWait(*this, sock.fileno(), EVENT_WRITE);
        } else {
            raise_os_error(static_cast<int>(-n), "send");
        }
    }
}

}  // namespace tulip
