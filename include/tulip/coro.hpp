// tulip coroutine layer: Coro, Task, Future, cancellation, sleep, run (asyncio's
// futures, tasks and runners). Includes the loop layer; nothing above it.
#pragma once

#include "tulip/coro/cancelled.hpp"
#include "tulip/coro/coro.hpp"
#include "tulip/coro/future.hpp"
#include "tulip/coro/io_wait.hpp"
#include "tulip/coro/run.hpp"
#include "tulip/coro/sleep.hpp"
#include "tulip/coro/task.hpp"
