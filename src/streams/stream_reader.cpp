// StreamReader: asyncio's read, readline, readexactly and readuntil over a
// StreamBuffer, and the flow control that pauses the transport past 2 * limit.
#include "tulip/streams/stream_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>

#include "streams/reader_state.hpp"
#include "tulip/errors.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

// ---- StreamReaderState ----

// ---- DataAwaiter ----

DataAwaiter::~DataAwaiter() {
    if (state_.waiter_ == this) state_.waiter_ = nullptr;
}

bool DataAwaiter::await_suspend(std::coroutine_handle<> h) {
    TaskBase* task = current_task();
    if (!task) throw RuntimeError("a StreamReader was read outside a task");
    task_ = task;
    if (!task->suspend_on(this, h)) return false;
    state_.waiter_ = this;
    return true;
}

bool DataAwaiter::cancel_wait(const std::string&) noexcept {
    if (state_.waiter_ == this) state_.waiter_ = nullptr;
    return false;  // dropped: the task wakes and raises CancelledError
}

// ---- StreamReaderState ----

void StreamReaderState::wakeup_waiter(std::exception_ptr error) noexcept {
    if (DataAwaiter* w = std::exchange(waiter_, nullptr)) {
        w->error_ = std::move(error);
        w->task_->wake();
    }
}

void StreamReaderState::feed_data(std::string_view data) {
    if (eof) throw RuntimeError("feed_data after feed_eof");
    if (data.empty()) return;
    buffer.append(data);
    wakeup_waiter();
    if (transport && !paused && buffer.size() > 2 * limit_) {
        transport->pause_reading();
        paused = true;
    }
}

void StreamReaderState::feed_eof() noexcept {
    eof = true;
    wakeup_waiter();
}

void StreamReaderState::set_exception(std::exception_ptr error) noexcept {
    exception_ = error;
    wakeup_waiter(std::move(error));
}

void StreamReaderState::before_wait(const char* func_name) {
    // One waiter: with two, which one the next bytes belong to would be a race.
    if (waiter_) {
        throw RuntimeError(
            fmt::format("{}() called while another coroutine is already waiting for incoming data", func_name));
    }
    // Waiting while paused would never end (readexactly(n) with n > limit needs this).
    if (paused) {
        paused = false;
        if (transport) transport->resume_reading();
    }
}

void StreamReaderState::maybe_resume_transport() {
    if (paused && buffer.size() <= limit_) {
        paused = false;
        if (transport) transport->resume_reading();
    }
}

std::string StreamReaderState::take(std::size_t n) {
    std::string data = buffer.take(n);
    maybe_resume_transport();
    return data;
}

// ---- The reading coroutines (free functions holding the state, so a read
// outlives the StreamReader handle it was called on) ----

namespace {

using StateRef = Ref<StreamReaderState>;

// readuntil's separators: one (no allocation), or a list sorted by length.
struct Separators {
    std::string one;
    std::vector<std::string> many;
    bool is_list = false;
    std::span<const std::string> list() const noexcept {
        return is_list ? std::span<const std::string>(many) : std::span<const std::string>(&one, 1);
    }
};

// One search step of asyncio's readuntil: the end of the shortest match starting
// at or after `offset`, or nullopt, with `offset` moved past every position
// where no separator can start. LimitOverrunError past the limit.
std::optional<std::size_t> find_separator(const StreamReaderState& s, std::span<const std::string> seps,
                                          std::size_t& offset) {
    const std::string_view buf = s.buffer.view();
    const std::size_t min_len = seps.front().size();
    const std::size_t max_len = seps.back().size();
    if (buf.size() < offset + min_len) return std::nullopt;
    std::size_t match_start = std::string_view::npos;
    std::size_t match_end = std::string_view::npos;
    for (const std::string& sep : seps) {
        std::size_t pos = sep.size() == 1 ? buf.find(sep[0], offset) : buf.find(sep, offset);
        if (pos == std::string_view::npos) continue;
        if (pos + sep.size() < match_end) {
            match_end = pos + sep.size();
            match_start = pos;
        }
    }
    if (match_end != std::string_view::npos) {
        if (match_start > s.limit_) {
            throw LimitOverrunError("Separator is found, but chunk is longer than limit", match_start);
        }
        return match_end;
    }
    // A separator may have begun in the last max_len - 1 bytes: search those again.
    offset = buf.size() + 1 > max_len ? buf.size() + 1 - max_len : 0;
    if (offset > s.limit_) throw LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
    return std::nullopt;
}

// To EOF. asyncio reads limit-sized blocks and joins them; one string grows here.
Coro<std::string> read_to_eof_impl(StateRef s) {
    std::string out;
    for (;;) {
        s->check_exception();
        if (!s->buffer.empty()) {
            if (out.empty()) {
                out = s->take(s->buffer.size());
            } else {
                out.append(s->buffer.view());
                s->buffer.clear();
                s->maybe_resume_transport();
            }
        } else if (s->eof) {
            co_return out;
        } else {
            co_await s->wait_for_data("read");
        }
    }
}

Coro<std::string> readline_impl(StateRef s) {
    static const std::string newline = "\n";
    s->check_exception();
    std::size_t offset = 0;
    for (;;) {
        std::optional<std::size_t> end;
        try {
            end = find_separator(*s, std::span<const std::string>(&newline, 1), offset);
        } catch (const LimitOverrunError& e) {
            // asyncio: drop the over-long line if its "\n" is here, else all of the buffer.
            std::string_view buf = s->buffer.view();
            if (e.consumed < buf.size() && buf[e.consumed] == '\n') {
                s->buffer.discard(e.consumed + 1);
            } else {
                s->buffer.clear();
            }
            s->maybe_resume_transport();
            throw ValueError(e.what());
        }
        if (end) co_return s->take(*end);
        if (s->eof) co_return s->buffer.take_all();  // readuntil's IncompleteReadError.partial
        co_await s->wait_for_data("readline");
    }
}

Coro<std::string> readuntil_impl(StateRef s, Separators separators) {
    if (separators.is_list) {
        if (separators.many.empty()) throw ValueError("Separator should contain at least one element");
        // Shortest first, so that of two matches ending at the same byte the shorter
        // wins (the order of equally long ones does not matter: same end, same match).
        std::sort(separators.many.begin(), separators.many.end(),
                         [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    }
    std::span<const std::string> seps = separators.list();
    if (seps.front().empty()) throw ValueError("Separator should be at least one-byte string");
    s->check_exception();
    std::size_t offset = 0;
    for (;;) {
        // The separator may be complete even after EOF: search before checking it.
        if (std::optional<std::size_t> end = find_separator(*s, seps, offset)) co_return s->take(*end);
        if (s->eof) throw IncompleteReadError(s->buffer.take_all(), std::nullopt);
        co_await s->wait_for_data("readuntil");
    }
}

Coro<std::string> readexactly_impl(StateRef s, std::ptrdiff_t n) {
    if (n < 0) throw ValueError("readexactly size can not be less than zero");
    s->check_exception();
    const auto want = static_cast<std::size_t>(n);
    while (s->buffer.size() < want) {
        if (s->eof) throw IncompleteReadError(s->buffer.take_all(), want);
        co_await s->wait_for_data("readexactly");
    }
    co_return s->take(want);
}

}  // namespace

// ---- StreamRead: read(n), awaited in the caller's frame ----

// Every idle streams connection's handler frame holds one.
static_assert(sizeof(StreamRead) <= 56, "StreamRead grew: each idle streams connection pays for it");

StreamRead::StreamRead(Ref<StreamReaderState> state, std::size_t n, Coro<std::string> to_eof)
    : state_(std::move(state)), n_(n), to_eof_(std::move(to_eof)), wait_(*state_) {}
StreamRead::StreamRead(StreamRead&& other) noexcept
    : state_(other.state_), n_(other.n_), to_eof_(std::move(other.to_eof_)), wait_(*state_) {}
StreamRead::~StreamRead() = default;

// asyncio's read(n): the error first; n == 0 reads nothing; else wait only if
// there is nothing to take and no EOF.
bool StreamRead::await_ready() {
    if (to_eof_) return false;
    state_->check_exception();
    return n_ == 0 || !state_->buffer.empty() || state_->eof;
}

std::coroutine_handle<> StreamRead::await_suspend(std::coroutine_handle<> h) {
    // Coro's awaiter holds only the frame's handle, which to_eof_ keeps owning.
    if (to_eof_) return std::move(to_eof_).operator co_await().await_suspend(h);
    state_->before_wait("read");
    return wait_.await_suspend(h) ? std::noop_coroutine() : h;
}

std::string StreamRead::await_resume() {
    if (to_eof_) return std::move(to_eof_).operator co_await().await_resume();
    wait_.await_resume();
    if (n_ == 0) return std::string();
    return state_->take(std::min(n_, state_->buffer.size()));
}

Coro<std::string> StreamRead::as_coro(Ref<StreamReaderState> state, std::size_t n) {
    co_return co_await StreamRead(std::move(state), n);
}

StreamRead::operator Coro<std::string>() && {
    if (to_eof_) return std::move(to_eof_);
    return as_coro(state_, n_);  // a copy of the reference: wait_ points into the state until we go
}

// ---- StreamReader: the handle ----

StreamReader::StreamReader(std::size_t limit) {
    if (limit == 0) throw ValueError("Limit cannot be <= 0");
    state_ = Ref<StreamReaderState>(new StreamReaderState(limit));
}
StreamReader::~StreamReader() = default;
StreamReader::StreamReader(const StreamReader&) noexcept = default;
StreamReader& StreamReader::operator=(const StreamReader&) noexcept = default;
StreamReader::StreamReader(StreamReader&&) noexcept = default;
StreamReader& StreamReader::operator=(StreamReader&&) noexcept = default;

StreamRead StreamReader::read(std::ptrdiff_t n) {
    if (n < 0) return StreamRead(state_, 0, read_to_eof_impl(state_));
    return StreamRead(state_, static_cast<std::size_t>(n));
}
Coro<std::string> StreamReader::readline() { return readline_impl(state_); }
Coro<std::string> StreamReader::readexactly(std::ptrdiff_t n) { return readexactly_impl(state_, n); }

Coro<std::string> StreamReader::readuntil(std::string_view separator) {
    Separators seps;
    seps.one = std::string(separator);
    return readuntil_impl(state_, std::move(seps));
}

Coro<std::string> StreamReader::readuntil(std::vector<std::string> separators) {
    Separators seps;
    seps.many = std::move(separators);
    seps.is_list = true;
    return readuntil_impl(state_, std::move(seps));
}

Coro<std::string> StreamReader::readuntil(std::initializer_list<std::string_view> separators) {
    return readuntil(std::vector<std::string>(separators.begin(), separators.end()));
}

bool StreamReader::at_eof() const noexcept { return state_->eof && state_->buffer.empty(); }
std::exception_ptr StreamReader::exception() const noexcept { return state_->exception_; }
void StreamReader::set_exception(std::exception_ptr error) { state_->set_exception(std::move(error)); }
void StreamReader::feed_data(std::string_view data) { state_->feed_data(data); }
void StreamReader::feed_eof() { state_->feed_eof(); }
void StreamReader::set_transport(Transport* transport) noexcept { state_->transport = transport; }
std::size_t StreamReader::limit() const noexcept { return state_->limit_; }
std::size_t StreamReader::buffer_size() const noexcept { return state_->buffer.size(); }
std::size_t StreamReader::buffer_capacity() const noexcept { return state_->buffer.capacity(); }

}  // namespace tulip
