// transports/protocols: the callback side of a connection (asyncio.protocols).
// A protocol is told what happens to its transport; it never reads or polls.
//
// The calls a stream protocol receives, in this order and no other (enforced by
// the transport; a state machine):
//
//     connection_made -> data_received* -> eof_received? -> connection_lost
//
// pause_writing / resume_writing may come between connection_made and
// connection_lost, always alternating, starting with pause_writing.
// Every call is made on the loop thread from a loop callback.
// Layer 6 (transports): includes the loop and coroutine layers only.
#pragma once

#include <cstddef>
#include <exception>
#include <span>
#include <string_view>

#include "tulip/net/address.hpp"

namespace tulip {

class Transport;
class DatagramTransport;

class BaseProtocol {
public:
    virtual ~BaseProtocol() = default;
    // The connection is lost or closed. `error` is null for a normal close or EOF,
    // else what ended it (e.g. ConnectionResetError). The last call.
    virtual void connection_lost(std::exception_ptr error) { (void)error; }
    // The transport's write buffer rose above its high-water mark: stop writing.
    virtual void pause_writing() {}
    // It drained below the low-water mark: writing may go on.
    virtual void resume_writing() {}
};

// asyncio.Protocol: data arrives as a view of the loop's receive buffer, valid
// only during the call (copy what must be kept).
class Protocol : public BaseProtocol {
public:
    virtual void connection_made(Transport& transport) { (void)transport; }
    virtual void data_received(std::string_view data) { (void)data; }
    // The peer will send no more (it called write_eof or shutdown). Return true to
    // keep the connection open for writing (half-close); false closes it.
    virtual bool eof_received() { return false; }
};

// asyncio.BufferedProtocol: the protocol owns the receive buffer. get_buffer
// returns where the next bytes go (at least 1 byte); buffer_updated says how many came.
class BufferedProtocol : public BaseProtocol {
public:
    virtual void connection_made(Transport& transport) { (void)transport; }
    virtual std::span<char> get_buffer(std::size_t sizehint) = 0;
    virtual void buffer_updated(std::size_t nbytes) = 0;
    virtual bool eof_received() { return false; }
};

// asyncio.DatagramProtocol: connection_made -> (datagram_received | error_received)* -> connection_lost.
class DatagramProtocol : public BaseProtocol {
public:
    virtual void connection_made(DatagramTransport& transport) { (void)transport; }
    virtual void datagram_received(std::string_view data, const Address& addr) {
        (void)data;
        (void)addr;
    }
    // A send or receive failed (e.g. ICMP port unreachable: ConnectionRefusedError).
    virtual void error_received(std::exception_ptr error) { (void)error; }
};

}  // namespace tulip
