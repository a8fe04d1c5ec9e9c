// transports/io_node: the ready-queue entry through which the loop calls a
// transport back (readable, writable). Shared by the stream and datagram transports.
#pragma once

#include <string>

#include "tulip/coro/ref.hpp"
#include "tulip/loop/handle.hpp"
#include "tulip/transports/transport.hpp"

namespace tulip {

// Each armed node (waiting on the loop or queued) holds a reference to its
// transport, so the transport outlives it; run() trades that reference for a
// local one before calling `Method`, which may re-arm the node.
template <class T, void (T::*Method)()>
struct IoNode final : ReadyNode {
    T* owner;
    explicit IoNode(T* t) noexcept : owner(t) {}
    void run() override {
        Ref<BaseTransport> hold(owner);
        owner->release();  // the reference the armed node held
        (owner->*Method)();
    }
    void discard() noexcept override { owner->release(); }
    std::string describe() const override { return "<transport I/O>"; }
};

}  // namespace tulip
