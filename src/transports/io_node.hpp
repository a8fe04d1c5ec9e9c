// transports/io_node: the ready-queue entry through which the loop calls a
// transport back (readable, writable). Shared by the stream and datagram transports.
#pragma once

#include <string>

#include "tulip/coro/ref.hpp"
#include "tulip/loop/handle.hpp"
#include "tulip/selectors/selector.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

// A base class of the transport `T`, one per direction, rather than a member:
// a member would need a pointer back to its transport, 8 bytes each of the two
// in every connection. T befriends it and defines read_ready() and write_ready().
// Each armed node (waiting on the loop or queued) holds a reference to its
// transport, so the transport outlives it; run() trades that reference for a
// local one before calling T back, which may re-arm the node.
template <class T, Events Direction>
struct IoNode : ReadyNode {
    void run() override {
        T* owner = static_cast<T*>(this);
        Ref<BaseTransport> hold(owner);
        owner->release();  // the reference the armed node held
        if constexpr (Direction == EVENT_READ) {
            owner->read_ready();
        } else {
            owner->write_ready();
        }
    }
    void discard() noexcept override { static_cast<T*>(this)->release(); }
    std::string describe() const override { return "<transport I/O>"; }
};

}  // namespace tulip
