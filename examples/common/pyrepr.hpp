// common/pyrepr: Python's repr() of the values the seed programs print, so that
// their console lines come out as they do in the seeds: b'te', b"it's",
// ('127.0.0.1', 8000). Only what the examples print; not a general repr.
#pragma once

#include <string>
#include <string_view>

#include "tulip/net/address.hpp"

namespace examples {

// repr(bytes): b'...' (b"..." when the bytes hold ' but no "), with \t \n \r
// \\ and \xhh escapes, exactly as CPython writes them.
std::string bytes_repr(std::string_view data);

// repr of a socket address tuple: ('127.0.0.1', 8000), or ('::1', 8000, 0, 0) for IPv6.
std::string address_repr(const tulip::Address& address);

}  // namespace examples
