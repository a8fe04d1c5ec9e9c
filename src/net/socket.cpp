#include "tulip/net/socket.hpp"

#include <poll.h>

#include <cerrno>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace {

[[noreturn]] void raise_timeout() {
    throw TimeoutError(ETIMEDOUT, std::generic_category(), "timed out");
}

using sys::would_block;

}  // namespace

Socket::Socket(int family, int type, int proto)
    : fd_(check(sys::socket(family, type, proto), "socket")) {}

Socket Socket::adopt(int fd, std::optional<double> timeout) noexcept { return Socket(fd, timeout); }

std::pair<Socket, Socket> Socket::pair(int family, int type) {
    int fds[2];
    check(sys::socketpair(family, type, 0, fds), "socketpair");
    return {adopt(fds[0]), adopt(fds[1])};
}

Socket::Socket(Socket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), timeout_(other.timeout_) {}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        timeout_ = other.timeout_;
    }
    return *this;
}

Socket::~Socket() { close(); }

void Socket::close() noexcept {
    if (fd_ >= 0) sys::close(std::exchange(fd_, -1));
}

int Socket::detach() noexcept { return std::exchange(fd_, -1); }

int Socket::fd_checked() const {
    if (fd_ < 0) raise_os_error(EBADF, "socket is closed");
    return fd_;
}

std::int64_t Socket::deadline() const {
    if (timeout_ <= 0) return -1;
    return sys::monotonic_ns() + static_cast<std::int64_t>(timeout_ * 1e9);
}

void Socket::wait_ready(short events, std::int64_t deadline_ns) const {
    pollfd p{fd_, events, 0};
    std::int64_t left = -1;
    if (deadline_ns >= 0) {
        left = deadline_ns - sys::monotonic_ns();
        if (left <= 0) raise_timeout();
    }
    int r = check(sys::poll(&p, 1, left), "poll");
    if (r == 0) raise_timeout();
}

// Runs a socket call the way CPython's sock_call does: try it; on EAGAIN, unless
// the socket is non-blocking (timeout 0), wait for readiness and try again until
// the deadline. Other errors become the matching OSError.
template <class Op>
auto Socket::io(short events, std::int64_t deadline_ns, std::string_view what, Op op) {
    for (;;) {
        auto r = op();
        if (r >= 0) return r;
        if (!would_block(r) || timeout_ == 0) raise_os_error(static_cast<int>(-r), what);
        wait_ready(events, deadline_ns);
    }
}

void Socket::bind(const Address& address) {
    check(sys::bind(fd_checked(), address.sockaddr_ptr(), address.size()),
          fmt::format("bind {}", address.to_string()));
}

void Socket::listen(int backlog) { check(sys::listen(fd_checked(), backlog), "listen"); }

std::pair<Socket, Address> Socket::accept() {
    const int fd = fd_checked();
    const std::int64_t dl = deadline();
    sockaddr_storage ss;
    socklen_t len = 0;
    int r = io(POLLIN, dl, "accept", [&] {
        len = sizeof ss;
        return sys::accept(fd, reinterpret_cast<sockaddr*>(&ss), &len, 0);
    });
    return {adopt(r), Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len)};
}

int Socket::connect_ex(const Address& address) {
    const int fd = fd_checked();
    int r = sys::connect(fd, address.sockaddr_ptr(), address.size());
    if (r == 0) return 0;
    // A blocking or timed socket finishes the connect here: wait, then ask SO_ERROR.
    if (r == -EINPROGRESS && timeout_ != 0) {
        pollfd p{fd, POLLOUT, 0};
        std::int64_t dl = deadline();
        std::int64_t left = dl < 0 ? -1 : dl - sys::monotonic_ns();
        int n = sys::poll(&p, 1, left < -1 ? 0 : left);
        if (n < 0) return -n;
        if (n == 0) return ETIMEDOUT;
        return getsockopt(SOL_SOCKET, SO_ERROR);
    }
    return -r;
}

void Socket::connect(const Address& address) {
    int err = connect_ex(address);
    if (err == 0) return;
    if (err == ETIMEDOUT && timeout_ > 0) raise_timeout();
    raise_os_error(err, fmt::format("connect {}", address.to_string()));
}

std::size_t Socket::recv_into(std::span<char> buffer, int flags) {
    const int fd = fd_checked();
    const std::int64_t dl = deadline();
    return static_cast<std::size_t>(
        io(POLLIN, dl, "recv", [&] { return sys::recv(fd, buffer.data(), buffer.size(), flags); }));
}

std::string Socket::recv(std::size_t bufsize, int flags) {
    std::string data(bufsize, '\0');
    data.resize(recv_into(data, flags));
    return data;
}

std::pair<std::string, Address> Socket::recvfrom(std::size_t bufsize, int flags) {
    const int fd = fd_checked();
    const std::int64_t dl = deadline();
    std::string data(bufsize, '\0');
    sockaddr_storage ss;
    socklen_t len = 0;
    ssize_t r = io(POLLIN, dl, "recvfrom", [&] {
        len = sizeof ss;
        return sys::recvfrom(fd, data.data(), data.size(), flags, reinterpret_cast<sockaddr*>(&ss), &len);
    });
    data.resize(static_cast<std::size_t>(r));
    return {std::move(data), Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len)};
}

std::size_t Socket::send(std::string_view data, int flags) {
    const int fd = fd_checked();
    const std::int64_t dl = deadline();
    return static_cast<std::size_t>(
        io(POLLOUT, dl, "send", [&] { return sys::send(fd, data.data(), data.size(), flags); }));
}

void Socket::sendall(std::string_view data, int flags) {
    // The timeout bounds the whole call, not each send (Python >= 3.5).
    const int fd = fd_checked();
    const std::int64_t dl = deadline();
    while (!data.empty()) {
        ssize_t r = io(POLLOUT, dl, "sendall", [&] { return sys::send(fd, data.data(), data.size(), flags); });
        data.remove_prefix(static_cast<std::size_t>(r));
    }
}

std::size_t Socket::sendto(std::string_view data, const Address& address, int flags) {
    const int fd = fd_checked();
    const std::int64_t dl = deadline();
    return static_cast<std::size_t>(io(POLLOUT, dl, "sendto", [&] {
        return sys::sendto(fd, data.data(), data.size(), flags, address.sockaddr_ptr(), address.size());
    }));
}

void Socket::shutdown(int how) { check(sys::shutdown(fd_checked(), how), "shutdown"); }

Address Socket::getsockname() const {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    check(sys::getsockname(fd_checked(), reinterpret_cast<sockaddr*>(&ss), &len), "getsockname");
    return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

Address Socket::getpeername() const {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    check(sys::getpeername(fd_checked(), reinterpret_cast<sockaddr*>(&ss), &len), "getpeername");
    return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

int Socket::family() const { return getsockopt(SOL_SOCKET, SO_DOMAIN); }
int Socket::type() const { return getsockopt(SOL_SOCKET, SO_TYPE); }

void Socket::setblocking(bool flag) { settimeout(flag ? std::nullopt : std::optional<double>(0.0)); }

void Socket::settimeout(std::optional<double> seconds) {
    if (seconds && (std::isnan(*seconds) || *seconds < 0)) throw ValueError("Timeout value out of range");
    // As CPython: only "no timeout" keeps the descriptor blocking; a timed socket
    // is non-blocking underneath and waits with poll().
    check(sys::set_nonblocking(fd_checked(), seconds.has_value()), "setblocking");
    timeout_ = seconds.value_or(-1.0);
}

void Socket::setsockopt(int level, int name, int value) { setsockopt(level, name, &value, sizeof value); }

void Socket::setsockopt(int level, int name, const void* value, socklen_t len) {
    check(sys::setsockopt(fd_checked(), level, name, value, len), "setsockopt");
}

int Socket::getsockopt(int level, int name) const {
    int value = 0;
    getsockopt(level, name, &value, sizeof value);
    return value;
}

socklen_t Socket::getsockopt(int level, int name, void* value, socklen_t len) const {
    check(sys::getsockopt(fd_checked(), level, name, value, &len), "getsockopt");
    return len;
}

}  // namespace tulip
