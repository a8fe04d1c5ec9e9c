// transports/socket_transport_base: what the stream and datagram socket transports
// share (asyncio's _SelectorTransport): the socket and protocol they own, their two
// I/O nodes and arming, write-buffer limits and pause/resume_writing, and the way
// a connection ends (close, fatal_error, force_close, connection_lost).
// CRTP: `Derived` supplies the reading, the writing and the buffer. Loop thread only.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "transports/io_node.hpp"
#include "transports/transport_errors.hpp"
#include "tulip/coro/future.hpp"
#include "tulip/errors.hpp"
#include "tulip/loop/event_loop.hpp"
#include "tulip/net/socket.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

// `Interface` is Transport or DatagramTransport. Derived provides:
//   on_readable(), on_writable()       what its nodes run
//   connection_made()                  calls the protocol's, with the right transport type
//   start_reading()                    after connection_made succeeded
//   stop_reading()                     for good: closing (disarm(EVENT_READ) and more)
//   write_buffer_empty(), drop_write_buffer()
//   peername()                         get_extra_info("peername")
//   on_connection_lost()               after the protocol's connection_lost and the close
//   static constexpr const char* context  names the transport in fatal errors' reports
// `Extra` is Derived's share of the rare state (see Rare), default none.
struct NoRareState {};

template <class Derived, class Interface, class Extra = NoRareState>
class SocketTransportBase : public Interface,
                            IoNode<SocketTransportBase<Derived, Interface, Extra>, EVENT_READ>,
                            IoNode<SocketTransportBase<Derived, Interface, Extra>, EVENT_WRITE> {
    using ReadNode = IoNode<SocketTransportBase, EVENT_READ>;
    using WriteNode = IoNode<SocketTransportBase, EVENT_WRITE>;
    friend ReadNode;
    friend WriteNode;

public:
    std::any get_extra_info(std::string_view name) const override {
        if (name == "peername") return derived().peername();
        try {
            if (name == "sockname") return sock_.getsockname();
        } catch (const OSError&) {
            return {};  // closed: Python gives None too
        }
        if (name == "socket") return static_cast<const Socket*>(&sock_);
        return {};
    }
    bool is_closing() const noexcept override { return closing_; }
    BaseProtocol& get_protocol() const noexcept override { return *protocol_; }

    // Stops reading; connection_lost follows once the write buffer is empty.
    void close() override {
        if (closing_) return;
        closing_ = true;
        derived().stop_reading();
        if (derived().write_buffer_empty()) schedule_connection_lost(nullptr);
    }
    void abort() override { force_close(nullptr); }

    void set_write_buffer_limits(std::size_t high, std::size_t low) override {
        if (high < low) throw ValueError("high must be >= low");
        Rare& r = rare();
        r.high = high;
        r.low = low;
        maybe_pause_protocol();
    }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {low(), high()}; }

protected:
    SocketTransportBase(EventLoop& loop, Socket sock) : Interface(loop), sock_(std::move(sock)) {}
    ~SocketTransportBase() override = default;

    // The transport's own reference (dropped after connection_lost), then start() soon.
    void start_soon(std::optional<Future<void>> waiter) {
        this->retain();
        Ref<BaseTransport> hold(this);
        this->loop_.call_soon([hold, waiter = std::move(waiter)]() mutable {
            static_cast<SocketTransportBase*>(hold.get())->start(std::move(waiter));
        });
    }

    // Waits for `direction` on the loop, unless the node already waits or is queued
    // (resume_reading from inside a protocol call queued it: that run does the I/O).
    void arm(Events direction) {
        bool& armed = direction == EVENT_READ ? read_armed_ : write_armed_;
        ReadyNode* node = this->node(direction);
        if (armed || node->queued) return;
        this->retain();
        armed = true;
        this->loop_.wait_io(fd(), direction, node);
    }
    void disarm(Events direction) noexcept {
        (direction == EVENT_READ ? read_armed_ : write_armed_) = false;
        if (this->loop_.cancel_io(fd(), direction, node(direction))) this->release();
    }
    // Runs the read node soon (an edge-triggered fd will not report data already there).
    void schedule_read() {
        ReadyNode* node = this->node(EVENT_READ);
        if (node->queued) return;
        this->retain();
        this->loop_.schedule(node);
    }

    void maybe_pause_protocol() {
        if (protocol_paused_ || derived().get_write_buffer_size() <= high()) return;
        protocol_paused_ = true;
        try {
            protocol_->pause_writing();
        } catch (...) {
            this->loop_.call_exception_handler({"protocol.pause_writing() failed", std::current_exception(), {}});
        }
    }
    void maybe_resume_protocol() {
        if (!protocol_paused_ || derived().get_write_buffer_size() > low()) return;
        protocol_paused_ = false;
        try {
            protocol_->resume_writing();
        } catch (...) {
            this->loop_.call_exception_handler({"protocol.resume_writing() failed", std::current_exception(), {}});
        }
    }

    // Reports `error` (unless the peer caused it) and closes at once.
    void fatal_error(std::exception_ptr error, const char* message) {
        if (!detail::is_connection_error(error)) {
            this->loop_.call_exception_handler({message, error, Derived::context});
        }
        force_close(std::move(error));
    }
    void force_close(std::exception_ptr error) {
        if (lost_) return;
        closing_ = true;
        derived().drop_write_buffer();
        derived().stop_reading();
        disarm(EVENT_WRITE);
        schedule_connection_lost(std::move(error));
    }
    // Always from a fresh loop callback, never from inside a write or a protocol
    // call: the protocol sees connection_lost after the call it is in returns.
    void schedule_connection_lost(std::exception_ptr error) {
        if (lost_) return;
        lost_ = true;
        Ref<BaseTransport> hold(this);
        this->loop_.call_soon(
            [hold, error] { static_cast<SocketTransportBase*>(hold.get())->call_connection_lost(error); });
    }

    int fd() const noexcept { return sock_.fileno(); }

    // What few connections need, in one block made on first use, so that an idle
    // one holds a pointer for it, not one per part: write-buffer limits someone
    // set, and what Derived keeps for pauses and waits (Extra).
    struct Rare : Extra {
        std::size_t high = Transport::default_high_water;
        std::size_t low = Transport::default_low_water;
    };
    Rare& rare() {
        if (!rare_) rare_ = std::make_unique<Rare>();
        return *rare_;
    }
    Rare* rare_if_made() const noexcept { return rare_.get(); }

private:
    Derived& derived() noexcept { return static_cast<Derived&>(*this); }
    const Derived& derived() const noexcept { return static_cast<const Derived&>(*this); }
    ReadyNode* node(Events direction) noexcept {
        return direction == EVENT_READ ? static_cast<ReadyNode*>(static_cast<ReadNode*>(this))
                                       : static_cast<WriteNode*>(this);
    }
    void read_ready() { derived().on_readable(); }  // what the nodes' run() calls
    void write_ready() { derived().on_writable(); }
    std::size_t high() const noexcept { return rare_ ? rare_->high : Transport::default_high_water; }
    std::size_t low() const noexcept { return rare_ ? rare_->low : Transport::default_low_water; }

protected:
    // The flags first: they fill the write node's tail padding.
    bool read_armed_ = false;       // the read node waits on the loop
    bool write_armed_ = false;
    bool closing_ = false;          // close() or an error: no more reading
    bool lost_ = false;             // connection_lost is scheduled or done
    bool protocol_paused_ = false;  // pause_writing() called, resume_writing() not yet
    Socket sock_;
    std::unique_ptr<BaseProtocol> protocol_;

private:
    std::unique_ptr<Rare> rare_;  // made by rare(): most connections never need it

    // connection_made, then reading; `waiter` (if given) gets the result.
    void start(std::optional<Future<void>> waiter) {
        if (waiter && waiter->done()) waiter.reset();  // cancelled: nobody waits any more
        if (lost_) {
            if (waiter) waiter->set_exception(detail::connection_closed());
            return;
        }
        try {
            derived().connection_made();
        } catch (...) {
            if (waiter) waiter->set_exception(std::current_exception());
            fatal_error(std::current_exception(), "Fatal error: protocol.connection_made() call failed.");
            return;
        }
        derived().start_reading();
        if (waiter) waiter->set_result();
    }

    void call_connection_lost(std::exception_ptr error) {
        derived().stop_reading();
        disarm(EVENT_WRITE);
        try {
            protocol_->connection_lost(error);
        } catch (...) {
            this->loop_.call_exception_handler({"protocol.connection_lost() failed", std::current_exception(), {}});
        }
        sock_.close();
        derived().on_connection_lost();
        this->release();  // the transport's own reference
    }
};

}  // namespace tulip
