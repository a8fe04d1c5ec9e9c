// tulip streams layer: StreamReader, StreamWriter, open_connection, start_server
// (asyncio.streams) — coroutines over the transports layer's Protocol API.
// Layer 7: includes the transports, coroutine and loop layers; no selector or
// descriptor is touched here.
#pragma once

#include "tulip/streams/errors.hpp"
#include "tulip/streams/flow_control.hpp"
#include "tulip/streams/open_connection.hpp"
#include "tulip/streams/start_server.hpp"
#include "tulip/streams/stream_protocol.hpp"
#include "tulip/streams/stream_reader.hpp"
#include "tulip/streams/stream_writer.hpp"
