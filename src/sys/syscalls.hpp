// sys: the thin wrappers through which tulip makes every syscall.
// This is the one place that reads errno, retries EINTR (recomputing the time
// left for waits) and consults the test-only fault injector (sys/fault.hpp).
// Convention, as the kernel's: a result >= 0 is success, a negative result is
// -errno. Nothing here throws or allocates. Internal: not installed for users.
#pragma once

#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace tulip::sys {

// A -errno result that means "try again when ready" (EAGAIN / EWOULDBLOCK).
inline bool would_block(long r) noexcept { return r == -EAGAIN || r == -EWOULDBLOCK; }

int socket(int family, int type, int proto);            // adds SOCK_CLOEXEC
int socketpair(int family, int type, int proto, int fds[2]);
int bind(int fd, const sockaddr* addr, socklen_t len);
int listen(int fd, int backlog);
// Adds SOCK_CLOEXEC; EINTR and ECONNABORTED (a connection reset while queued) retried.
int accept(int fd, sockaddr* addr, socklen_t* len, int flags);
// Not retried on EINTR: the connection goes on in the background, so the caller
// waits for writability instead (PEP 475). EINTR is returned as -EINPROGRESS.
int connect(int fd, const sockaddr* addr, socklen_t len);
int shutdown(int fd, int how);
int close(int fd);  // never retried: on Linux the fd is gone even when EINTR is reported

// The event loop of a thread asks to hear of every close made on that thread, so
// that it drops the descriptor from its backend before the number can be reused.
using CloseObserver = void (*)(void* ctx, int fd) noexcept;
void set_close_observer(CloseObserver observer, void* ctx) noexcept;  // nullptr: none

ssize_t recv(int fd, void* buf, std::size_t len, int flags);
ssize_t recvfrom(int fd, void* buf, std::size_t len, int flags, sockaddr* addr, socklen_t* alen);
// send, sendto and sendmsg always add MSG_NOSIGNAL: a closed peer gives EPIPE, never SIGPIPE.
ssize_t send(int fd, const void* buf, std::size_t len, int flags);
ssize_t sendto(int fd, const void* buf, std::size_t len, int flags, const sockaddr* addr,
               socklen_t alen);
ssize_t sendmsg(int fd, const iovec* iov, int iovcnt, int flags);
ssize_t read(int fd, void* buf, std::size_t len);
ssize_t write(int fd, const void* buf, std::size_t len);
ssize_t pread(int fd, void* buf, std::size_t len, off_t offset);  // fault tag: Call::read
// sendfile(2): from `in_fd` at *offset (advanced by what was sent) to `out_fd`.
ssize_t sendfile(int out_fd, int in_fd, off_t* offset, std::size_t count);

int getsockopt(int fd, int level, int name, void* value, socklen_t* len);
int setsockopt(int fd, int level, int name, const void* value, socklen_t len);
int getsockname(int fd, sockaddr* addr, socklen_t* len);
int getpeername(int fd, sockaddr* addr, socklen_t* len);
int fstat(int fd, struct stat* st);
int set_nonblocking(int fd, bool on);  // fcntl(F_SETFL, O_NONBLOCK)

// Waits: timeout_ns < 0 blocks, 0 polls. An EINTR resumes the wait with the time left.
int poll(pollfd* fds, nfds_t n, std::int64_t timeout_ns);
int select(int nfds, fd_set* r, fd_set* w, fd_set* x, std::int64_t timeout_ns);
int epoll_create();  // EPOLL_CLOEXEC
int epoll_ctl(int epfd, int op, int fd, epoll_event* ev);
int epoll_wait(int epfd, epoll_event* events, int max, std::int64_t timeout_ns);

std::int64_t monotonic_ns();  // CLOCK_MONOTONIC

}  // namespace tulip::sys
