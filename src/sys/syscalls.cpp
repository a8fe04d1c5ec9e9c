#include "sys/syscalls.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "sys/fault.hpp"

namespace tulip::sys {

namespace {

using fault::Call;

// Runs `op` until it stops failing with EINTR, asking the fault injector first
// on every attempt (an injected EINTR is retried like a real one).
template <class Op>
auto retry(Call call, Op op) -> decltype(op(std::size_t{0})) {
    for (;;) {
        fault::Decision d = fault::check(call);
        if (d.error == EINTR) continue;
        if (d.error != 0) return -d.error;
        auto r = op(d.max_bytes);
        if (r >= 0) return r;
        if (errno != EINTR) return -errno;
    }
}

std::size_t capped(std::size_t len, std::size_t cap) { return cap != 0 && cap < len ? cap : len; }

// Milliseconds for poll/epoll_wait, rounded up so that a wait never returns
// before its deadline and then spins on a zero timeout.
int to_ms(std::int64_t ns) {
    if (ns < 0) return -1;
    std::int64_t ms = (ns + 999'999) / 1'000'000;
    return ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
}

// Runs a wait with the time left until `deadline`, restarting it after EINTR.
template <class Op>
int wait_retry(Call call, std::int64_t timeout_ns, Op op) {
    const std::int64_t deadline = timeout_ns > 0 ? monotonic_ns() + timeout_ns : 0;
    std::int64_t left = timeout_ns;
    for (;;) {
        fault::Decision d = fault::check(call);
        int r;
        if (d.error != 0) {
            errno = d.error;
            r = -1;
        } else {
            r = op(left);
        }
        if (r >= 0) return r;
        if (errno != EINTR) return -errno;
        if (timeout_ns > 0) {
            left = deadline - monotonic_ns();
            if (left < 0) left = 0;
        }
    }
}

}  // namespace

std::int64_t monotonic_ns() {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int socket(int family, int type, int proto) {
    return retry(Call::socket, [&](std::size_t) { return ::socket(family, type | SOCK_CLOEXEC, proto); });
}

int socketpair(int family, int type, int proto, int fds[2]) {
    return retry(Call::socketpair,
                 [&](std::size_t) { return ::socketpair(family, type | SOCK_CLOEXEC, proto, fds); });
}

int bind(int fd, const sockaddr* addr, socklen_t len) {
    return retry(Call::bind, [&](std::size_t) { return ::bind(fd, addr, len); });
}

int listen(int fd, int backlog) {
    return retry(Call::listen, [&](std::size_t) { return ::listen(fd, backlog); });
}

int accept(int fd, sockaddr* addr, socklen_t* len, int flags) {
    for (;;) {
        int r = retry(Call::accept,
                      [&](std::size_t) { return ::accept4(fd, addr, len, flags | SOCK_CLOEXEC); });
        if (r != -ECONNABORTED) return r;
    }
}

int connect(int fd, const sockaddr* addr, socklen_t len) {
    fault::Decision d = fault::check(Call::connect);
    if (d.error != 0 && d.error != EINTR) return -d.error;
    if (::connect(fd, addr, len) == 0) return d.error == EINTR ? -EINPROGRESS : 0;
    // An injected EINTR stands for a signal arriving after the connect started.
    return errno == EINTR || d.error == EINTR ? -EINPROGRESS : -errno;
}

int shutdown(int fd, int how) {
    return retry(Call::shutdown, [&](std::size_t) { return ::shutdown(fd, how); });
}

namespace {
thread_local CloseObserver t_close_observer = nullptr;
thread_local void* t_close_observer_ctx = nullptr;
}  // namespace

void set_close_observer(CloseObserver observer, void* ctx) noexcept {
    t_close_observer = observer;
    t_close_observer_ctx = ctx;
}

int close(int fd) {
    if (t_close_observer != nullptr) t_close_observer(t_close_observer_ctx, fd);
    fault::Decision d = fault::check(Call::close);
    if (d.error != 0 && d.error != EINTR) return -d.error;
    if (::close(fd) == 0 || errno == EINTR) return 0;
    return -errno;
}

ssize_t recv(int fd, void* buf, std::size_t len, int flags) {
    return retry(Call::recv, [&](std::size_t cap) { return ::recv(fd, buf, capped(len, cap), flags); });
}

ssize_t recvfrom(int fd, void* buf, std::size_t len, int flags, sockaddr* addr, socklen_t* alen) {
    return retry(Call::recvfrom, [&](std::size_t cap) {
        return ::recvfrom(fd, buf, capped(len, cap), flags, addr, alen);
    });
}

ssize_t send(int fd, const void* buf, std::size_t len, int flags) {
    return retry(Call::send, [&](std::size_t cap) {
        return ::send(fd, buf, capped(len, cap), flags | MSG_NOSIGNAL);
    });
}

ssize_t sendto(int fd, const void* buf, std::size_t len, int flags, const sockaddr* addr,
               socklen_t alen) {
    return retry(Call::sendto, [&](std::size_t cap) {
        return ::sendto(fd, buf, capped(len, cap), flags | MSG_NOSIGNAL, addr, alen);
    });
}

ssize_t sendmsg(int fd, const iovec* iov, int iovcnt, int flags) {
    return retry(Call::sendmsg, [&](std::size_t cap) -> ssize_t {
        msghdr msg{};
        msg.msg_iov = const_cast<iovec*>(iov);
        msg.msg_iovlen = static_cast<std::size_t>(iovcnt);
        if (cap == 0 || iovcnt == 0) return ::sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
        // A short write: send at most `cap` bytes of the first buffer.
        iovec first{iov[0].iov_base, capped(iov[0].iov_len, cap)};
        msg.msg_iov = &first;
        msg.msg_iovlen = 1;
        return ::sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
    });
}

ssize_t read(int fd, void* buf, std::size_t len) {
    return retry(Call::read, [&](std::size_t cap) { return ::read(fd, buf, capped(len, cap)); });
}

ssize_t write(int fd, const void* buf, std::size_t len) {
    return retry(Call::write, [&](std::size_t cap) { return ::write(fd, buf, capped(len, cap)); });
}

ssize_t pread(int fd, void* buf, std::size_t len, off_t offset) {
    return retry(Call::read, [&](std::size_t cap) { return ::pread(fd, buf, capped(len, cap), offset); });
}

ssize_t sendfile(int out_fd, int in_fd, off_t* offset, std::size_t count) {
    return retry(Call::sendfile,
                 [&](std::size_t cap) { return ::sendfile(out_fd, in_fd, offset, capped(count, cap)); });
}

int getsockopt(int fd, int level, int name, void* value, socklen_t* len) {
    return retry(Call::getsockopt, [&](std::size_t) { return ::getsockopt(fd, level, name, value, len); });
}

int setsockopt(int fd, int level, int name, const void* value, socklen_t len) {
    return retry(Call::setsockopt, [&](std::size_t) { return ::setsockopt(fd, level, name, value, len); });
}

int getsockname(int fd, sockaddr* addr, socklen_t* len) {
    return ::getsockname(fd, addr, len) == 0 ? 0 : -errno;
}

int getpeername(int fd, sockaddr* addr, socklen_t* len) {
    return ::getpeername(fd, addr, len) == 0 ? 0 : -errno;
}

int fstat(int fd, struct stat* st) { return ::fstat(fd, st) == 0 ? 0 : -errno; }

int set_nonblocking(int fd, bool on) {
    return retry(Call::fcntl, [&](std::size_t) {
        int flags = ::fcntl(fd, F_GETFL);
        if (flags < 0) return flags;
        int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
        return wanted == flags ? 0 : ::fcntl(fd, F_SETFL, wanted);
    });
}

int poll(pollfd* fds, nfds_t n, std::int64_t timeout_ns) {
    return wait_retry(Call::poll, timeout_ns,
                      [&](std::int64_t left) { return ::poll(fds, n, to_ms(left)); });
}

int select(int nfds, fd_set* r, fd_set* w, fd_set* x, std::int64_t timeout_ns) {
    // select() clobbers its sets, so every attempt starts from the caller's copy.
    fd_set r0, w0, x0;
    if (r) r0 = *r;
    if (w) w0 = *w;
    if (x) x0 = *x;
    return wait_retry(Call::select, timeout_ns, [&](std::int64_t left) {
        if (r) *r = r0;
        if (w) *w = w0;
        if (x) *x = x0;
        if (left < 0) return ::select(nfds, r, w, x, nullptr);
        std::int64_t us = (left + 999) / 1000;
        timeval tv{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
        return ::select(nfds, r, w, x, &tv);
    });
}

int epoll_create() {
    return retry(Call::epoll_create, [&](std::size_t) { return ::epoll_create1(EPOLL_CLOEXEC); });
}

int epoll_ctl(int epfd, int op, int fd, epoll_event* ev) {
    return retry(Call::epoll_ctl, [&](std::size_t) { return ::epoll_ctl(epfd, op, fd, ev); });
}

int epoll_wait(int epfd, epoll_event* events, int max, std::int64_t timeout_ns) {
    return wait_retry(Call::epoll_wait, timeout_ns,
                      [&](std::int64_t left) { return ::epoll_wait(epfd, events, max, to_ms(left)); });
}

}  // namespace tulip::sys
