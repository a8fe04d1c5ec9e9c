#include "tulip/streams/errors.hpp"

#include <fmt/format.h>

namespace tulip {

namespace {
// Python's message: "7 bytes read on a total of 10 expected bytes" ("undefined" for None).
std::string incomplete_message(std::size_t got, std::optional<std::size_t> expected) {
    return expected ? fmt::format("{} bytes read on a total of {} expected bytes", got, *expected)
                    : fmt::format("{} bytes read on a total of undefined expected bytes", got);
}
}  // namespace

IncompleteReadError::IncompleteReadError(std::string partial_bytes, std::optional<std::size_t> expected_bytes)
    : EOFError(incomplete_message(partial_bytes.size(), expected_bytes)),
      partial(std::move(partial_bytes)),
      expected(expected_bytes) {}

}  // namespace tulip
