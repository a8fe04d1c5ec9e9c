// loop.sendfile (asyncio's base_events.sendfile with selector_events'
// _sendfile_native): once the transport's write buffer is flushed, the file goes
// to the socket with sendfile(2), waiting for writability on EAGAIN; a file that
// sendfile(2) refuses (EINVAL, ENOSYS) is sent with pread + send instead.
#include <cerrno>
#include <system_error>

#include "sys/syscalls.hpp"
#include "transports/socket_transport.hpp"
#include "transports/transport_errors.hpp"
#include "tulip/coro/coro.hpp"
#include "tulip/coro/io_wait.hpp"
#include "tulip/errors.hpp"

namespace tulip {

using detail::connection_closed;
using detail::would_block;

namespace {

constexpr std::size_t native_block = std::size_t{1} << 30;  // asyncio's cap per sendfile call

// Ends the transport's sendfile mode however the coroutine ends (a finally block).
class SendfileScope {
public:
    explicit SendfileScope(SocketTransport& t) : t_(t) { t_.sendfile_begin(); }
    SendfileScope(const SendfileScope&) = delete;
    SendfileScope& operator=(const SendfileScope&) = delete;
    ~SendfileScope() { t_.sendfile_end(); }

private:
    SocketTransport& t_;
};

}  // namespace

Coro<std::size_t> EventLoop::sendfile(Transport& transport, int fd, std::size_t offset,
                                      std::optional<std::size_t> count) {
    auto* t = dynamic_cast<SocketTransport*>(&transport);
    if (t == nullptr) throw RuntimeError("sendfile is not supported by this transport");
    Ref<BaseTransport> hold(t);
    SendfileScope scope(*t);
    Future<void> flushed = t->wait_flushed();
    co_await flushed;

    std::size_t total = 0;
    bool native = true;
    while (!count || total < *count) {
        int sock = t->sendfile_fd();
        if (sock < 0) std::rethrow_exception(connection_closed());
        const auto pos = static_cast<off_t>(offset + total);
        ssize_t n;
        if (native) {
            std::size_t want = count ? std::min(*count - total, native_block) : native_block;
            off_t at = pos;
            n = sys::sendfile(sock, fd, &at, want);
            if (n == -EINVAL || n == -ENOSYS) {  // not a file sendfile(2) can read (asyncio falls back too)
                native = false;
                continue;
            }
            if (n == 0) break;  // end of file
        } else {
            // The scratch buffer is shared, so nothing is kept in it across a wait:
            // bytes the socket did not take are read again from the file. Waits
            // follow EAGAIN only, never a short count (an edge may not follow one).
            std::span<char> buf = scratch_buffer();
            std::size_t want = count ? std::min(*count - total, buf.size()) : buf.size();
            ssize_t got = sys::pread(fd, buf.data(), want, pos);
            if (got < 0) raise_os_error(static_cast<int>(-got), "read");
            if (got == 0) break;  // end of file
            n = sys::send(sock, buf.data(), static_cast<std::size_t>(got), 0);
        }
        if (n > 0) total += static_cast<std::size_t>(n);
        if (n < 0 && !would_block(n)) raise_os_error(static_cast<int>(-n), native ? "sendfile" : "send");
        if (n < 0) co_await IoWait(*this, sock, EVENT_WRITE);
    }
    co_return total;
}

// ---- SocketTransport's side (asyncio's _make_empty_waiter and friends) ----

void SocketTransport::sendfile_begin() {
    if (closing_ || lost_) throw RuntimeError("Transport is closing");
    if (in_sendfile_) throw RuntimeError("a sendfile is already in progress on this transport");
    in_sendfile_ = true;
    resume_after_sendfile_ = is_reading();
    pause_reading();
}

void SocketTransport::sendfile_end() {
    in_sendfile_ = false;
    if (resume_after_sendfile_) {
        resume_after_sendfile_ = false;
        resume_reading();
    }
}

Future<void> SocketTransport::wait_flushed() {
    Future<void> f(loop_);
    if (lost_) {
        f.set_exception(connection_closed());
    } else if (buffer_.empty()) {
        f.set_result();
    } else {
        Ref<FutureState<void>>& flushed = rare().flushed;
        if (!flushed || flushed->done()) flushed = Ref(f.state());
        f = Future<void>(flushed);
    }
    return f;
}

}  // namespace tulip
