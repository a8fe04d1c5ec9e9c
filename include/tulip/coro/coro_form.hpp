// coro/coro_form: awaitables that stand for a coroutine without being one. A
// few hot awaits (StreamReader::read) return such an object: awaited, it runs in
// the awaiting coroutine's frame, with no frame of its own to allocate or keep
// while it waits; where a coroutine is needed (create_task, ensure_future and
// so gather, wait_for, shield, as_completed) it turns into one. In asyncio these
// are coroutines; here the difference shows only in the type's name.
#pragma once

#include <concepts>
#include <type_traits>

namespace tulip {

// A type with `using coro_type = Coro<T>;` that an rvalue converts to.
template <class A>
concept CoroForm = requires { typename std::remove_cvref_t<A>::coro_type; } &&
                   std::convertible_to<std::remove_cvref_t<A>&&, typename std::remove_cvref_t<A>::coro_type>;

template <CoroForm A>
using coro_form_t = typename std::remove_cvref_t<A>::coro_type;

}  // namespace tulip
