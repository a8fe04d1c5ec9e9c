#include "echo/line_buffer.hpp"

#include <utility>

namespace echo {

std::vector<std::string> LineBuffer::feed(std::string_view chunk) {
    if (plain_) return {std::string(chunk)};
    // A new "\r\n" can start at the last byte already held, not earlier.
    std::size_t from = buffer_.empty() ? 0 : buffer_.size() - 1;
    buffer_.append(chunk);
    std::vector<std::string> lines;
    std::size_t begin = 0;  // where the next line starts
    for (std::size_t end; (end = buffer_.find("\r\n", from)) != std::string::npos;) {
        lines.push_back(buffer_.substr(begin, end + 2 - begin));
        begin = from = end + 2;
    }
    buffer_.erase(0, begin);
    return lines;
}

std::string LineBuffer::take_rest() {
    return std::exchange(buffer_, {});
}

}  // namespace echo
