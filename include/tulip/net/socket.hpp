// net/socket: Socket, an owning, move-only file descriptor with Python's socket API.
// Timeouts mean what they mean in Python: no timeout (std::nullopt) blocks,
// 0 makes every call non-blocking (BlockingIOError instead of waiting), and a
// positive number of seconds raises TimeoutError("timed out") after that long.
// Sends never raise SIGPIPE; a closed peer gives BrokenPipeError.
// Thread affinity: a Socket is used by one thread at a time.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "tulip/net/address.hpp"

namespace tulip {

class Socket {
public:
    static constexpr int default_backlog = 128;  // Python: min(SOMAXCONN, 128)

    Socket() noexcept = default;  // no descriptor: fileno() == -1
    Socket(int family, int type = SOCK_STREAM, int proto = 0);
    // Takes ownership of an open descriptor. `timeout` must match its O_NONBLOCK
    // flag (nullopt: blocking; 0: non-blocking); nothing is changed or checked.
    static Socket adopt(int fd, std::optional<double> timeout = std::nullopt) noexcept;
    static std::pair<Socket, Socket> pair(int family = AF_UNIX, int type = SOCK_STREAM);

    Socket(Socket&& other) noexcept;
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket();

    void bind(const Address& address);
    void listen(int backlog = default_backlog);
    std::pair<Socket, Address> accept();  // the new socket is blocking, as in Python
    void connect(const Address& address);
    // Starts a connect and returns 0, or the errno (EINPROGRESS on a non-blocking socket).
    int connect_ex(const Address& address);

    // recv returns "" at EOF; recv_into returns 0. Both read at most `bufsize` / the span.
    std::string recv(std::size_t bufsize, int flags = 0);
    std::size_t recv_into(std::span<char> buffer, int flags = 0);
    std::pair<std::string, Address> recvfrom(std::size_t bufsize, int flags = 0);
    std::size_t send(std::string_view data, int flags = 0);
    void sendall(std::string_view data, int flags = 0);
    std::size_t sendto(std::string_view data, const Address& address, int flags = 0);
    void shutdown(int how);  // SHUT_RD, SHUT_WR, SHUT_RDWR

    void close() noexcept;  // idempotent; errors from close(2) are ignored, as Python does
    int detach() noexcept;  // gives up ownership; returns the descriptor
    int fileno() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

    Address getsockname() const;
    Address getpeername() const;
    int family() const;
    int type() const;

    void setblocking(bool flag);  // setblocking(false) == settimeout(0)
    bool getblocking() const noexcept { return timeout_ != 0.0; }
    void settimeout(std::optional<double> seconds);  // ValueError when negative
    std::optional<double> gettimeout() const noexcept {
        return timeout_ < 0 ? std::nullopt : std::optional<double>(timeout_);
    }

    void setsockopt(int level, int name, int value);
    void setsockopt(int level, int name, const void* value, socklen_t len);
    int getsockopt(int level, int name) const;
    socklen_t getsockopt(int level, int name, void* value, socklen_t len) const;

private:
    explicit Socket(int fd, std::optional<double> timeout) noexcept : fd_(fd), timeout_(timeout.value_or(-1.0)) {}
    int fd_checked() const;  // the descriptor, or OSError(EBADF) when closed
    // Waits until the descriptor is ready for `events` (POLLIN/POLLOUT) or the
    // socket's timeout expires (TimeoutError). Used after EAGAIN on a socket
    // whose timeout is not 0.
    void wait_ready(short events, std::int64_t deadline_ns) const;
    std::int64_t deadline() const;  // -1 when the socket has no timeout
    template <class Op>
    auto io(short events, std::int64_t deadline_ns, std::string_view what, Op op);

    int fd_ = -1;
    // Python's timeout, with -1 for None (blocking); 0: non-blocking. A plain double,
    // not an optional: a Socket is 16 bytes, and every transport holds one.
    double timeout_ = -1.0;
};

}  // namespace tulip
