#include "common/pyrepr.hpp"

#include <fmt/format.h>

namespace examples {

std::string bytes_repr(std::string_view data) {
    // CPython's bytes_repr: single quotes unless that would need escaping and double would not.
    const bool has_single = data.find('\'') != std::string_view::npos;
    const bool has_double = data.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out = "b";
    out += quote;
    for (const char c : data) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == quote || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (byte < 0x20 || byte >= 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    out += quote;
    return out;
}

std::string address_repr(const tulip::Address& address) {
    if (address.family() == AF_INET6)
        return fmt::format("('{}', {}, 0, 0)", address.host(), address.port());
    if (address.family() == AF_INET)
        return fmt::format("('{}', {})", address.host(), address.port());
    return fmt::format("'{}'", address.to_string());  // a Unix socket's address is its path
}

}  // namespace examples
