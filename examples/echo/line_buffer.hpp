// echo/line_buffer: seed 001's framing (listings 3.2-3.6): bytes pile up until
// "\r\n", what telnet sends on [Enter], and each whole line is one message.
// The seed only checks whether the buffer *ends* with "\r\n" after each
// recv(2), so "a\r" + "\nb" would never end a line; this looks anywhere.
// In plain mode there is no framing: every chunk is a message at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace echo {

class LineBuffer {
public:
    explicit LineBuffer(bool plain) : plain_(plain) {}

    // Adds a chunk; returns the messages it completed (each line keeps its "\r\n").
    std::vector<std::string> feed(std::string_view chunk);
    // At EOF: what came after the last "\r\n" (the seed echoes that too).
    std::string take_rest();

private:
    bool plain_;
    std::string buffer_;
};

}  // namespace echo
