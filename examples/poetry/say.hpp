// poetry/say: print(line) with the flush a pipe needs: the programs' lines are
// read by people and by tests while the programs run.
#pragma once

#include <cstdio>
#include <string_view>

namespace poetry {

inline void say(std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

}  // namespace poetry
