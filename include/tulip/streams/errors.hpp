// streams/errors: the two exceptions of asyncio's streams (asyncio.exceptions).
// IncompleteReadError: EOF came before a read was satisfied; LimitOverrunError:
// a separator was not found within the reader's limit.
// Layer 7 (streams): includes the layers below it only.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

#include "tulip/errors.hpp"

namespace tulip {

// asyncio.IncompleteReadError (an EOFError): `partial` holds the bytes read
// before EOF; `expected` is how many were asked for (nullopt where Python says
// None: readuntil, which did not know).
class IncompleteReadError : public EOFError {
public:
    IncompleteReadError(std::string partial, std::optional<std::size_t> expected);

    std::string partial;
    std::optional<std::size_t> expected;
};

// asyncio.LimitOverrunError: the separator was not found within the limit.
// `consumed` is how many bytes may be consumed (the data stays buffered).
class LimitOverrunError : public std::runtime_error {
public:
    LimitOverrunError(const std::string& message, std::size_t consumed)
        : std::runtime_error(message), consumed(consumed) {}

    std::size_t consumed;
};

}  // namespace tulip
