// tulip transports layer: protocols, transports and servers (asyncio.protocols,
// asyncio.transports, loop.create_server / create_connection).
#pragma once

#include "tulip/transports/protocols.hpp"
#include "tulip/transports/server.hpp"
#include "tulip/transports/transport.hpp"
