// loop/event_loop: EventLoop, asyncio's event loop (events.AbstractEventLoop,
// base_events, selector_events): a ready queue of callbacks, timers, descriptor
// watchers and a backend that waits for I/O. One loop per thread.
// Layer 4: includes sys/net/selectors only. The coroutine layer (5) adds
// create_task, run_until_complete and the sock_* coroutines, whose declarations
// here name its types without including them (tulip/coro.hpp defines them).
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tulip/loop/handle.hpp"
#include "tulip/net/getaddrinfo.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/selectors/selector.hpp"

namespace tulip {

template <class T>
class Coro;
template <class T>
class Task;
class Server;
class BaseProtocol;
class Transport;
class DatagramTransport;
template <class S>
class Ref;

// Options of create_server (asyncio's keyword arguments).
struct ServerOptions {
    int family = AF_UNSPEC;
    int flags = 0x0001;  // AI_PASSIVE
    int backlog = 100;
    bool reuse_address = true;
    bool reuse_port = false;
    bool start_serving = true;
};

// Options of create_connection.
struct ConnectionOptions {
    int family = AF_UNSPEC;
    std::optional<Address> local_addr;  // bound before connecting
};

// Options of create_datagram_endpoint.
struct DatagramEndpointOptions {
    int family = AF_UNSPEC;  // needed only when neither address is given
    bool reuse_port = false;       // SO_REUSEPORT
    bool allow_broadcast = false;  // SO_BROADCAST
};
template <class T>
class Future;
class ThreadPoolExecutor;
class LoopJob;

// What went wrong, for the exception handler: asyncio's context dict.
struct ExceptionContext {
    std::string message;           // "Exception in callback", "Task exception was never retrieved", ...
    std::exception_ptr exception;  // may be null
    std::string source;            // the handle or task, and where it was created
};

// uring: io_uring's poll requests (UringSelector); where io_uring is unavailable
// (old kernel, seccomp, kernel.io_uring_disabled) the loop uses epoll instead and
// says so once on stderr. backend_name() names the backend in use.
enum class BackendKind { automatic, epoll, poll, select, uring };

class EventLoop {
public:
    using ExceptionHandler = std::function<void(EventLoop&, const ExceptionContext&)>;

    // `automatic` reads TULIP_BACKEND (epoll, poll, select, uring), else epoll.
    explicit EventLoop(BackendKind backend = BackendKind::automatic);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // ---- Scheduling (loop thread only, except call_soon_threadsafe) ----
    // Callbacks run in FIFO order from run_once; an exception escaping one goes
    // to the exception handler and the loop carries on.
    template <class F>
    HandleRef call_soon(F&& callback, std::source_location where = std::source_location::current()) {
        check_open();  // asyncio: RuntimeError('Event loop is closed')
        Handle* h = Handle::make(std::forward<F>(callback));
        h->where_ = where;
        enqueue_new(h);
        return HandleRef(h);
    }
    // Any thread. Wakes the loop if it is waiting for I/O. Returns nothing: a handle
    // made here could not be cancelled safely from this thread.
    template <class F>
    void call_soon_threadsafe(F&& callback) {
        push_threadsafe(Handle::make(std::forward<F>(callback)));
    }
    template <class F>
    TimerHandle call_later(double delay, F&& callback) {
        return call_at_ns(time_ns() + seconds_to_ns(delay), std::forward<F>(callback));
    }
    template <class F>
    TimerHandle call_at(double when, F&& callback) {
        return call_at_ns(seconds_to_ns(when), std::forward<F>(callback));
    }
    template <class F>
    TimerHandle call_at_ns(std::int64_t when_ns, F&& callback) {
        check_open();  // before making the handle, which nothing would free
        Handle* h = Handle::make(std::forward<F>(callback));
        add_timer(h, when_ns);
        return HandleRef(h);
    }
    double time() const noexcept { return static_cast<double>(time_ns()) * 1e-9; }  // monotonic seconds
    std::int64_t time_ns() const noexcept;

    // ---- Descriptor watchers, level-triggered as in asyncio ----
    // While registered, the callback runs once per loop iteration in which the fd
    // is readable (writable). Adding again replaces the callback.
    template <class F>
    void add_reader(int fd, F&& callback) {
        set_watcher(fd, EVENT_READ, Handle::make(std::forward<F>(callback)));
    }
    template <class F>
    void add_writer(int fd, F&& callback) {
        set_watcher(fd, EVENT_WRITE, Handle::make(std::forward<F>(callback)));
    }
    bool remove_reader(int fd) { return set_watcher(fd, EVENT_READ, nullptr); }
    bool remove_writer(int fd) { return set_watcher(fd, EVENT_WRITE, nullptr); }

    // ---- Unix signals (asyncio's add_signal_handler), loop thread only ----
    // The callback runs from run_once like any callback; signals arriving in a
    // burst may coalesce into one call, but one always runs after the last signal.
    // ValueError for a number that is not a signal, RuntimeError for one that
    // cannot be caught (SIGKILL, SIGSTOP) or that another loop handles (a signal
    // is process-wide). Adding again replaces the callback. remove restores
    // SIG_DFL and returns false if there was no handler; close() removes them all.
    template <class F>
    void add_signal_handler(int sig, F&& callback) {
        set_signal_handler(sig, Handle::make(std::forward<F>(callback)));
    }
    bool remove_signal_handler(int sig);

    // ---- Executor (loop thread only), defined by the coroutine layer (tulip/coro/executor.hpp) ----
    // asyncio's run_in_executor(None, func): runs `func` on the default executor
    // (a ThreadPoolExecutor, started on first use); the future gets its result or
    // exception on the loop thread. Bind arguments with a lambda.
    template <class F>
    Future<std::remove_cvref_t<std::invoke_result_t<std::decay_t<F>&>>> run_in_executor(F&& func);
    // Stops the default executor taking jobs and waits (without blocking the loop)
    // until its workers have finished; run() calls it before closing the loop.
    Coro<void> shutdown_default_executor();
    // loop.getaddrinfo: tulip::getaddrinfo on the default executor.
    Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port, int family = 0, int type = 0,
                                            int proto = 0, int flags = 0);
    // The default executor, made on first use. RuntimeError once
    // shutdown_default_executor was called or the loop is closed.
    ThreadPoolExecutor& default_executor();

    // ---- Running ----
    // Until stop(). RuntimeError if already running or closed, or if a uring loop
    // runs on a thread other than the one that first ran it.
    void run_forever();
    void stop() noexcept;           // the current iteration finishes, then run_forever returns
    void close();                   // RuntimeError while running; idempotent
    bool is_running() const noexcept { return running_; }
    bool is_closed() const noexcept { return closed_; }
    // One iteration; its phases are written at its definition (event_loop.cpp).
    void run_once();

    // Defined by the coroutine layer (tulip/coro/run.hpp, tulip/coro/task.hpp):
    template <class Awaitable>
    decltype(auto) run_until_complete(Awaitable&& awaitable);
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name = {},
                        std::source_location where = std::source_location::current());
    // A stand-in for a coroutine (tulip/coro/coro_form.hpp: StreamReader::read's
    // result) runs as the coroutine it converts to.
    template <class A>
        requires(!std::is_reference_v<A>) && requires { typename A::coro_type; }
    auto create_task(A&& aw, std::string name = {}, std::source_location where = std::source_location::current()) {
        return create_task(static_cast<typename A::coro_type>(std::move(aw)), std::move(name), where);
    }

    // ---- Socket coroutines (asyncio's loop.sock_*), defined by the coroutine layer ----
    // The socket must be non-blocking (settimeout(0)), else ValueError, as in asyncio.
    // Each tries its syscall first and waits only on EAGAIN; the descriptor stays
    // registered between calls. Cancelling one drops its wait and loses no data.
    Coro<std::pair<Socket, Address>> sock_accept(Socket& sock);  // the new socket is non-blocking
    Coro<void> sock_connect(Socket& sock, Address address);
    Coro<std::string> sock_recv(Socket& sock, std::size_t nbytes);  // "" at EOF
    Coro<std::size_t> sock_recv_into(Socket& sock, std::span<char> buffer);
    Coro<void> sock_sendall(Socket& sock, std::string_view data);

    // ---- Servers and connections (asyncio's create_server / create_connection),
    // defined by the transports layer (tulip/transports.hpp) ----
    using ProtocolFactory = std::function<std::unique_ptr<BaseProtocol>()>;
    // Listens on every address `host` resolves to ("" = every interface) at `port`
    // (0 = a free port) and makes a transport and a protocol per connection.
    Coro<Server> create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                               ServerOptions options = {});
    Coro<Server> create_server(ProtocolFactory factory, std::vector<std::string> hosts, std::uint16_t port,
                               ServerOptions options = {});
    Coro<Server> create_server(ProtocolFactory factory, Socket sock, ServerOptions options = {});
    Coro<Server> create_unix_server(ProtocolFactory factory, std::string path, ServerOptions options = {});
    // Tries every address `host` resolves to, in order; raises the last error if none connects.
    Coro<std::pair<Ref<Transport>, BaseProtocol*>> create_connection(ProtocolFactory factory, std::string host,
                                                                     std::uint16_t port,
                                                                     ConnectionOptions options = {});
    Coro<std::pair<Ref<Transport>, BaseProtocol*>> create_connection(ProtocolFactory factory, Socket sock);
    Coro<std::pair<Ref<Transport>, BaseProtocol*>> create_unix_connection(ProtocolFactory factory, std::string path);
    // A UDP (or Unix datagram) socket bound to `local_addr` and/or connected to
    // `remote_addr`; the factory must make a DatagramProtocol. Addresses are taken
    // as given (numeric, or Unix paths): resolve names first with getaddrinfo.
    Coro<std::pair<Ref<DatagramTransport>, BaseProtocol*>> create_datagram_endpoint(
        ProtocolFactory factory, std::optional<Address> local_addr, std::optional<Address> remote_addr = {},
        DatagramEndpointOptions options = {});
    // Sends `count` bytes (nullopt: to end of file) of the file `fd` from `offset`
    // over a stream transport with sendfile(2), once its write buffer is flushed;
    // read+write when the file cannot be sendfile'd. Returns the bytes sent. The
    // file's own position is not used or moved. Loop thread only.
    Coro<std::size_t> sendfile(Transport& transport, int fd, std::size_t offset = 0,
                               std::optional<std::size_t> count = std::nullopt);

    // ---- Errors and debugging ----
    void set_exception_handler(ExceptionHandler handler) { exception_handler_ = std::move(handler); }
    const ExceptionHandler& get_exception_handler() const noexcept { return exception_handler_; }
    void call_exception_handler(const ExceptionContext& context) noexcept;
    static void default_exception_handler(const ExceptionContext& context) noexcept;  // logs to stderr
    void set_debug(bool enabled) noexcept { debug_ = enabled; }
    bool get_debug() const noexcept { return debug_; }
    double slow_callback_duration = 0.1;  // seconds; in debug mode, slower callbacks are logged

    const char* backend_name() const noexcept;

    // A receive buffer shared by every transport of this loop: a Protocol gets a
    // view into it, so an idle connection holds no buffer of its own (DESIGN.md).
    std::span<char> scratch_buffer();

    // ---- For the coroutine layer: scheduling suspended tasks, one-shot I/O waits ----
    // Queues `node` (a Task) to run in this iteration's successor; no-op if queued.
    void schedule(ReadyNode* node) noexcept;
    // Schedules `waiter` once `fd` is ready for `direction` (EVENT_READ or EVENT_WRITE).
    // Edge-triggered underneath on epoll: the descriptor is registered once and
    // stays registered until it is closed, so a wait costs no epoll_ctl.
    void wait_io(int fd, Events direction, ReadyNode* waiter);
    // Drops `waiter` if it still waits; true if it did (it will not be scheduled).
    bool cancel_io(int fd, Events direction, ReadyNode* waiter) noexcept;
    // Whether a reader of `fd` must read until EAGAIN rather than stop at a short
    // read: true once an edge-triggered report said the peer hung up or an error is
    // pending (that edge will not come again). Level-triggered waits report again.
    bool must_drain(int fd) const noexcept;
    // A reader's note that its last read of `fd` was short (the socket is empty), so
    // the next read may wait first instead of spending a recv on EAGAIN; cleared by
    // the next read-ready report. Ignored once must_drain(fd).
    void note_read_drained(int fd) noexcept;
    bool read_drained(int fd) const noexcept;

    // ---- For transports: completion reads and sends (io_uring) ----
    // One interface for both, so a transport pays one vtable pointer.
    // Reads: the kernel reads into buffers of the loop's and the loop hands them
    // out: on_recv(res, data, last) with res > 0 bytes in `data` (valid during the
    // call), 0 at EOF, -errno on error (ECANCELED: stopped). `last`: nothing more
    // comes.
    // Sends: a handler with bytes to send queues itself; just before the next poll
    // the loop calls send_ready(), where it starts one send of all it has (so the
    // writes of an iteration go out as one send). on_sent(res) once per send:
    // bytes sent (possibly fewer than asked), or -errno (ECANCELED after
    // cancel_send); called after a poll.
    class StreamHandler {
    public:
        virtual void on_recv(int res, std::string_view data, bool last) = 0;
        virtual void send_ready() = 0;
        virtual void on_sent(int res) = 0;

    protected:
        ~StreamHandler() = default;
    };
    // Starts reading `fd` so; false if this backend has no completion reads (then
    // wait for readiness). One read per fd at a time.
    bool start_recv(int fd, StreamHandler* handler);
    // Stops it. Reads already done still reach the handler, then one `last` call;
    // with `detach` nothing more reaches it (before the handler goes away; also
    // after a stop without detach whose `last` has not come yet).
    void stop_recv(int fd, bool detach) noexcept;
    // True if this backend sends by completion (then the calls below may be used).
    bool can_send() const noexcept;
    void queue_send(StreamHandler* handler);  // once until its send_ready()
    // From send_ready: sends `data` (kept unchanged by the caller until on_sent) on
    // `fd` with this poll's submission. One send per handler at a time.
    void start_send(int fd, std::string_view data, StreamHandler* handler);
    void cancel_send(StreamHandler* handler) noexcept;

    // ---- For servers: completion accepts (io_uring) ----
    // The kernel accepts each connection on a listening socket as it comes and the
    // loop hands it out: on_accept(res, last) with res >= 0 the new socket's fd
    // (non-blocking, close-on-exec; the handler owns it), -errno on error
    // (ECANCELED: stopped). `last`: nothing more comes; after an error other than
    // ECANCELED, accepting goes on only if the handler starts it again.
    class AcceptHandler {
    public:
        virtual void on_accept(int res, bool last) = 0;

    protected:
        ~AcceptHandler() = default;
    };
    // Starts accepting on `listen_fd` so; false if this backend has no completion
    // accepts (then wait for readiness and accept()). One per fd at a time.
    bool start_accept(int listen_fd, AcceptHandler* handler);
    // As stop_recv; with `detach`, connections accepted meanwhile are closed.
    void stop_accept(int listen_fd, bool detach) noexcept;

    static std::int64_t seconds_to_ns(double seconds) noexcept;

private:
    struct FdState;
    struct Impl;

    void enqueue_new(Handle* h) noexcept;  // takes the queue's reference
    void push_threadsafe(Handle* h);
    void add_timer(Handle* h, std::int64_t when_ns);
    bool set_watcher(int fd, Events direction, Handle* h);
    FdState& fd_state(int fd);
    void mark_dirty(int fd);
    void sync_fd(int fd);
    void poll_io(std::int64_t timeout_ns);
    void run_ready_node(ReadyNode* node);
    void drain_threadsafe();
    void on_fd_close(int fd) noexcept;
    void deliver_received();  // io_uring's completion reads, after each poll
    void deliver_sent();      // and its completion sends
    void deliver_accepted();  // io_uring's completion accepts, after each poll
    // Closes made on the thread that last ran the loop reach on_fd_close from its
    // first run until close(), running or not (loop/close_observer.cpp).
    struct CloseLink;
    void attach_close_observer();
    void detach_close_observer() noexcept;
    void check_open() const;
    void check_uring_thread();  // RuntimeError if a uring loop runs on a second thread
    void set_signal_handler(int sig, Handle* h);
    // For LoopJob: runs job->finish() on the loop thread and deletes the job there.
    void post_job(LoopJob* job) noexcept;
    // For shutdown_default_executor: joins the default executor's workers on a helper
    // thread, then posts `done`; false (and `done` untouched) if there was no executor.
    bool shutdown_executor_async(LoopJob* done);
    void join_executor_helper() noexcept;

    friend class Handle;
    friend class LoopJob;
    void timer_cancelled() noexcept;

    std::unique_ptr<Impl> impl_;
    std::shared_ptr<CloseLink> close_link_;  // of the thread that last ran the loop
    ReadyNode* ready_head_ = nullptr;
    ReadyNode* ready_tail_ = nullptr;
    std::size_t ready_count_ = 0;
    std::size_t since_poll_ = 0;  // callbacks run since the backend was last polled
    bool running_ = false;
    bool stopping_ = false;
    bool closed_ = false;
    bool debug_ = false;
    ExceptionHandler exception_handler_;
};

// "ConnectionResetError: [Errno 104] Connection reset by peer": an exception's
// type and message, as the last line of a Python traceback ("" for null).
std::string describe_exception(const std::exception_ptr& error);

// The loop running in this thread (asyncio.get_running_loop); RuntimeError if none.
EventLoop& get_running_loop();
// The running loop, or nullptr.
EventLoop* running_loop() noexcept;

}  // namespace tulip
