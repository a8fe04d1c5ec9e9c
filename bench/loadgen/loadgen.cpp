// loadgen: the native load generator of `make bench` (issue 5 §3). One thread,
// one epoll loop, N connections to 127.0.0.1:PORT, each keeping K messages of
// S bytes in flight; every echoed byte is compared with what was sent (a
// mismatch, an early EOF or a stall ends the run with exit 2 and a message).
// It measures a fixed window (--duration after --warmup) and prints one JSON
// line: messages/s, p50/p99 round trip (1 connection, 1 in flight), and, given
// --server-pid, the server's user+sys CPU over the same window (/proc/PID/stat)
// and its RSS. Modes:
//   echo   byte echo, the stream a fixed pattern (period 251)
//   lines  as echo, but the stream is 32 B lines ("...\n"): S is 32
//   chat   N receivers; connection 0 sends "#<seq>" lines; a message is
//          complete when all N received it; lines not starting with '#'
//          (a chat server's headers) are skipped. Counts deliveries.
//   idle   open N connections (one echo each), report the server's RSS delta
// Links libc only. Why not Python: a Python client is slower than the servers.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void fail(const char* fmt, ...) {
    std::va_list ap;
    va_start(ap, fmt);
    std::fputs("loadgen: FAIL: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::exit(2);
}

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

struct Options {
    int port = 0;
    std::string mode = "echo";
    int conns = 1;
    int inflight = 1;
    std::size_t size = 64;
    double duration = 2.0;
    double warmup = 0.3;
    long server_pid = 0;
    double stall = 5.0;  // seconds without progress that count as a hang
};

// The server's CPU (user+sys, in clock ticks) and RSS, read from /proc.
struct ServerStat {
    double cpu_s = 0;
    long rss_kb = 0;
};

ServerStat read_server(long pid) {
    ServerStat st;
    if (pid <= 0) return st;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (FILE* f = std::fopen(path, "r")) {
        char buf[1024];
        const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
        std::fclose(f);
        buf[n] = 0;
        const char* p = std::strrchr(buf, ')');  // comm may hold spaces
        unsigned long utime = 0, stime = 0;
        // fields after ")": 3 state ... 14 utime 15 stime
        if (p && std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2)
            st.cpu_s = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
    }
    std::snprintf(path, sizeof path, "/proc/%ld/status", pid);
    if (FILE* f = std::fopen(path, "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (std::sscanf(line, "VmRSS: %ld", &st.rss_kb) == 1) break;
        std::fclose(f);
    }
    return st;
}

// The bytes a connection sends: stream offset o is pattern[(seed + o) % period].
// The buffer is one period longer than the largest span read or written, so
// any span is one contiguous slice.
constexpr std::size_t max_span = 256 * 1024;
struct Pattern {
    std::size_t period = 251;
    std::vector<char> bytes;
    Pattern(bool lines) {
        period = lines ? 32 * 26 : 251;
        bytes.resize(period + 2 * max_span);
        for (std::size_t j = 0; j < bytes.size(); ++j) {
            const std::size_t k = j % period;
            bytes[j] = lines ? (k % 32 == 31 ? '\n' : char('a' + (k / 32 + k % 32) % 26)) : char(k * 7 + 3);
        }
    }
    const char* at(std::size_t seed, uint64_t offset) const { return bytes.data() + (seed + offset) % period; }
};

struct Conn {
    int fd = -1;
    std::size_t seed = 0;
    uint64_t sent = 0;     // bytes written
    uint64_t queued = 0;   // bytes the generator wants written (issued messages)
    uint64_t received = 0; // bytes read and verified
    bool want_out = false;
    int64_t sent_at = 0;   // send time of the one message in flight (latency mode)
    std::string line;      // chat: the partial line
    uint64_t next_seq = 0; // chat: the next "#seq" this receiver expects
    bool joined = false;   // chat: saw its own "+id" hello
};

class Generator {
public:
    explicit Generator(const Options& o) : opt_(o), pattern_(o.mode == "lines") {
        ep_ = epoll_create1(EPOLL_CLOEXEC);
        rbuf_.resize(max_span);
        if (opt_.mode == "lines" || opt_.mode == "chat") opt_.size = 32;
        latency_ = opt_.conns == 1 && opt_.inflight == 1 && opt_.mode == "echo";
        if (latency_) lat_.reserve(4'000'000);
    }

    void run();

private:
    void connect_all();
    int connect_one();
    void set_events(Conn& c, bool out) {
        if (c.want_out == out) return;
        c.want_out = out;
        epoll_event ev{};
        ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
        ev.data.u32 = uint32_t(&c - conns_.data());
        if (epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev) != 0) fail("epoll_ctl: %s", std::strerror(errno));
    }
    void flush(Conn& c);
    void issue(Conn& c, uint64_t messages) {
        c.queued += messages * opt_.size;
        if (latency_) c.sent_at = now_ns();
        flush(c);
    }
    // One epoll round; returns messages completed in it.
    uint64_t poll_once(int timeout_ms);
    uint64_t on_readable(Conn& c);
    uint64_t on_chat_data(Conn& c, const char* data, std::size_t n);
    void send_chat(Conn& c, std::string_view s) {
        chat_out_.append(s);
        flush_chat(c);
    }
    void flush_chat(Conn& c);
    void run_until(int64_t deadline_ns, uint64_t* count, uint64_t target = 0);

    Options opt_;
    Pattern pattern_;
    int ep_ = -1;
    std::vector<Conn> conns_;
    std::vector<char> rbuf_;
    bool latency_ = false;
    std::vector<uint32_t> lat_;
    bool steady_ = false;  // past connection setup: completions send the next messages
    bool measuring_ = false;
    // chat
    bool chat_started_ = false;
    uint64_t chat_sent_ = 0;
    std::string chat_out_;
    std::size_t chat_out_off_ = 0;
};

int Generator::connect_one() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket: %s (raise RLIMIT_NOFILE?)", std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(opt_.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) fail("connect: %s", std::strerror(errno));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

// Connects in waves no larger than a listen backlog, each connection proving
// the server accepted it (an echo, or its own chat hello back) before the next
// wave: a full accept queue would otherwise cost 1 s SYN retransmits.
void Generator::connect_all() {
    conns_.resize(std::size_t(opt_.conns));
    const bool chat = opt_.mode == "chat";
    constexpr int wave = 50;
    for (int first = 0; first < opt_.conns; first += wave) {
        const int last = std::min(opt_.conns, first + wave);
        for (int i = first; i < last; ++i) {
            Conn& c = conns_[std::size_t(i)];
            c.fd = connect_one();
            c.seed = std::size_t(i) * (opt_.mode == "lines" ? 32 : 1);
            c.want_out = true;  // forces the first set_events to register
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u32 = uint32_t(i);
            if (epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev) != 0) fail("epoll_ctl add: %s", std::strerror(errno));
            c.want_out = false;
            if (chat) {
                const std::string hello = "+" + std::to_string(i) + "\n";
                if (write(c.fd, hello.data(), hello.size()) != ssize_t(hello.size())) fail("hello write");
            } else {
                issue(c, 1);
            }
        }
        // Wait for the wave: every connection one message back.
        const int64_t deadline = now_ns() + int64_t(opt_.stall * 1e9);
        for (;;) {
            bool done = true;
            for (int i = first; i < last && done; ++i) {
                const Conn& c = conns_[std::size_t(i)];
                done = chat ? c.joined : c.received >= opt_.size;
            }
            if (done) break;
            if (now_ns() > deadline) fail("connection setup stalled (wave at %d of %d)", first, opt_.conns);
            poll_once(50);
        }
    }
}

void Generator::flush(Conn& c) {
    while (c.sent < c.queued) {
        const std::size_t n = std::size_t(std::min<uint64_t>(c.queued - c.sent, max_span));
        const ssize_t w = write(c.fd, pattern_.at(c.seed, c.sent), n);
        if (w < 0) {
            if (errno == EAGAIN) break;
            fail("write: %s", std::strerror(errno));
        }
        c.sent += uint64_t(w);
    }
    set_events(c, c.sent < c.queued);
}

void Generator::flush_chat(Conn& c) {
    while (chat_out_off_ < chat_out_.size()) {
        const ssize_t w = write(c.fd, chat_out_.data() + chat_out_off_, chat_out_.size() - chat_out_off_);
        if (w < 0) {
            if (errno == EAGAIN) break;
            fail("write: %s", std::strerror(errno));
        }
        chat_out_off_ += std::size_t(w);
    }
    if (chat_out_off_ == chat_out_.size()) chat_out_.clear(), chat_out_off_ = 0;
    set_events(c, !chat_out_.empty());
}

uint64_t Generator::on_chat_data(Conn& c, const char* data, std::size_t n) {
    uint64_t delivered = 0;
    const auto index = std::size_t(&c - conns_.data());
    c.line.append(data, n);
    std::size_t start = 0;
    for (std::size_t nl; (nl = c.line.find('\n', start)) != std::string::npos; start = nl + 1) {
        const std::string_view line(c.line.data() + start, nl - start);
        if (!line.empty() && line[0] == '+' && line.substr(1) == std::to_string(index)) c.joined = true;
        if (line.empty() || line[0] != '#') continue;
        const uint64_t seq = std::strtoull(std::string(line.substr(1)).c_str(), nullptr, 10);
        if (seq != c.next_seq || line.size() != 31) fail("chat: receiver %zu expected #%llu, got '%.*s'", index,
                                       (unsigned long long)c.next_seq, int(line.size()), line.data());
        ++c.next_seq;
        ++delivered;
    }
    c.line.erase(0, start);
    return delivered;
}

uint64_t Generator::on_readable(Conn& c) {
    const ssize_t n = read(c.fd, rbuf_.data(), rbuf_.size());
    if (n < 0) {
        if (errno == EAGAIN) return 0;
        fail("read: %s", std::strerror(errno));
    }
    if (n == 0) fail("connection %zu: server closed it (EOF)", std::size_t(&c - conns_.data()));
    if (opt_.mode == "chat") return on_chat_data(c, rbuf_.data(), std::size_t(n));
    if (c.received + uint64_t(n) > c.sent)
        fail("connection %zu: %zd bytes back, only %llu outstanding", std::size_t(&c - conns_.data()), n,
             (unsigned long long)(c.sent - c.received));
    if (std::memcmp(rbuf_.data(), pattern_.at(c.seed, c.received), std::size_t(n)) != 0)
        fail("connection %zu: echoed bytes differ at stream offset %llu", std::size_t(&c - conns_.data()),
             (unsigned long long)c.received);
    const uint64_t before = c.received / opt_.size;
    c.received += uint64_t(n);
    const uint64_t done = c.received / opt_.size - before;
    if (done && latency_ && measuring_) lat_.push_back(uint32_t(std::min<int64_t>(now_ns() - c.sent_at, UINT32_MAX)));
    if (done && steady_) issue(c, done);  // during setup a connection does its one echo only
    return done;
}

uint64_t Generator::poll_once(int timeout_ms) {
    epoll_event evs[512];
    const int n = epoll_wait(ep_, evs, 512, timeout_ms);
    if (n < 0 && errno != EINTR) fail("epoll_wait: %s", std::strerror(errno));
    uint64_t done = 0;
    for (int i = 0; i < n; ++i) {
        Conn& c = conns_[evs[i].data.u32];
        if (evs[i].events & (EPOLLERR | EPOLLHUP) && !(evs[i].events & EPOLLIN))
            fail("connection %u: error/hangup", evs[i].data.u32);
        if (evs[i].events & EPOLLOUT) {
            if (opt_.mode == "chat") flush_chat(c);
            else flush(c);
        }
        if (evs[i].events & EPOLLIN) done += on_readable(c);
    }
    if (opt_.mode == "chat" && chat_started_) {
        // the sender keeps `inflight` messages outstanding
        // a message is complete when every receiver has it: the oldest is the least next_seq
        uint64_t oldest = chat_sent_;
        for (const Conn& c : conns_) oldest = std::min(oldest, c.next_seq);
        while (chat_sent_ - oldest < uint64_t(opt_.inflight)) {
            char msg[40];
            std::snprintf(msg, sizeof msg, "#%030llu\n", (unsigned long long)chat_sent_++);
            send_chat(conns_[0], msg);
        }
    }
    return done;
}

void Generator::run_until(int64_t deadline_ns, uint64_t* count, uint64_t target) {
    int64_t last_progress = now_ns();
    for (;;) {
        const uint64_t d = poll_once(20);
        const int64_t t = now_ns();
        if (d) {
            *count += d;
            last_progress = t;
        } else if (t - last_progress > int64_t(opt_.stall * 1e9)) {
            fail("no message completed for %.1f s (server hung or too slow)", opt_.stall);
        }
        if (t >= deadline_ns || (target && *count >= target)) return;
    }
}

void Generator::run() {
    const ServerStat base = read_server(opt_.server_pid);
    connect_all();
    if (opt_.mode == "idle") {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the server settle
        const ServerStat after = read_server(opt_.server_pid);
        std::printf("{\"mode\":\"idle\",\"conns\":%d,\"rss_before_kb\":%ld,\"rss_after_kb\":%ld,"
                    "\"bytes_per_conn\":%.1f}\n",
                    opt_.conns, base.rss_kb, after.rss_kb,
                    double(after.rss_kb - base.rss_kb) * 1024.0 / opt_.conns);
        return;
    }
    // Steady state: every connection gets its K in flight.
    steady_ = true;
    if (opt_.mode == "chat") chat_started_ = true;
    else
        for (Conn& c : conns_) issue(c, uint64_t(opt_.inflight));
    uint64_t ignored = 0;
    run_until(now_ns() + int64_t(opt_.warmup * 1e9), &ignored);
    measuring_ = true;
    const ServerStat s0 = read_server(opt_.server_pid);
    const int64_t t0 = now_ns();
    uint64_t count = 0;
    run_until(t0 + int64_t(opt_.duration * 1e9), &count);
    const int64_t t1 = now_ns();
    const ServerStat s1 = read_server(opt_.server_pid);
    const double secs = double(t1 - t0) / 1e9;
    double p50 = 0, p99 = 0;
    if (!lat_.empty()) {
        auto pct = [&](double q) {
            const auto k = std::size_t(q * double(lat_.size() - 1));
            std::nth_element(lat_.begin(), lat_.begin() + std::ptrdiff_t(k), lat_.end());
            return lat_[k] / 1000.0;
        };
        p50 = pct(0.50);
        p99 = pct(0.99);
    }
    const double cpu = s1.cpu_s - s0.cpu_s;
    std::printf("{\"mode\":\"%s\",\"conns\":%d,\"inflight\":%d,\"size\":%zu,\"msgs\":%llu,\"seconds\":%.4f,"
                "\"msgs_per_s\":%.1f,\"mb_per_s\":%.2f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"server_cpu_s\":%.3f,"
                "\"cpu_us_per_msg\":%.4f,\"server_rss_kb\":%ld}\n",
                opt_.mode.c_str(), opt_.conns, opt_.inflight, opt_.size, (unsigned long long)count, secs,
                double(count) / secs, double(count) * double(opt_.size) / secs / 1e6, p50, p99, cpu,
                count ? cpu * 1e6 / double(count) : 0.0, s1.rss_kb);
}

void usage() {
    std::fputs("usage: loadgen --port P [--mode echo|lines|chat|idle] [--conns N] [--inflight K] [--size S]\n"
               "               [--duration SEC] [--warmup SEC] [--server-pid PID] [--stall SEC]\n",
               stderr);
    std::exit(64);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (i + 1 >= argc) usage();
        const char* v = argv[++i];
        if (a == "--port") o.port = std::atoi(v);
        else if (a == "--mode") o.mode = v;
        else if (a == "--conns") o.conns = std::atoi(v);
        else if (a == "--inflight") o.inflight = std::atoi(v);
        else if (a == "--size") o.size = std::size_t(std::atol(v));
        else if (a == "--duration") o.duration = std::atof(v);
        else if (a == "--warmup") o.warmup = std::atof(v);
        else if (a == "--server-pid") o.server_pid = std::atol(v);
        else if (a == "--stall") o.stall = std::atof(v);
        else usage();
    }
    if (o.port <= 0 || o.conns < 1 || o.inflight < 1 || o.size < 1 || o.size * std::size_t(o.inflight) > max_span ||
        (o.mode != "echo" && o.mode != "lines" && o.mode != "chat" && o.mode != "idle"))
        usage();
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rlim_t(o.conns) + 16 > rl.rlim_cur) fail("%d connections exceed RLIMIT_NOFILE %llu", o.conns,
                                                 (unsigned long long)rl.rlim_cur);
    Generator(o).run();
    return 0;
}
