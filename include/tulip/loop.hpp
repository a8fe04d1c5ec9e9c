// tulip loop layer: EventLoop, handles and timers (asyncio.events / base_events).
#pragma once

#include "tulip/loop/event_loop.hpp"
#include "tulip/loop/executor.hpp"
#include "tulip/loop/handle.hpp"
