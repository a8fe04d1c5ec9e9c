// tulip: asyncio's model in C++20. Everything, layer by layer.
#pragma once

#include "tulip/net.hpp"
#include "tulip/selectors.hpp"
#include "tulip/loop.hpp"
#include "tulip/coro.hpp"
#include "tulip/transports.hpp"
#include "tulip/streams.hpp"
