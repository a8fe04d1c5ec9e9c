// What the poetry app tests share: a poetry-server started on a free port (the
// port read back from "Serving FILE on port N."), a poetry-client run to its
// end into a temporary --out-dir, the poems, and "Got N poems in T" read back
// as seconds. Every wait is bounded.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace tulip::testing::poetry {

inline const std::vector<std::string> styles = {"blocking", "selectors", "loop", "protocol"};
inline const std::vector<std::string> concurrent_styles = {"selectors", "loop", "protocol"};

inline std::string poem_path(const std::string& name) {
    return std::string(TULIP_SOURCE_DIR) + "/examples/poetry/poems/" + name;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

// Python's str(timedelta) back to seconds: "0:00:01.5" -> 1.5.
inline double parse_timedelta(const std::string& text) {
    static const std::regex form(R"((\d+):(\d\d):(\d\d(?:\.\d+)?))");
    std::smatch m;
    if (!std::regex_match(text, m, form)) throw std::runtime_error("not a timedelta: " + text);
    return std::stod(m[1]) * 3600 + std::stod(m[2]) * 60 + std::stod(m[3]);
}

class PoetryServer {
public:
    PoetryServer(const std::string& style, const std::string& poem, std::vector<std::string> extra = {})
        : file(poem_path(poem)), process("poetry-server", args(style, file, std::move(extra))) {
        const std::regex serving("^Serving (.+) on port (\\d+)\\.$");
        const auto line = process.wait_for_line(serving, std::chrono::seconds(5));
        if (!line) throw std::runtime_error("poetry-server never said 'Serving': " + process.err());
        announced_file = (*line)[1];
        port = static_cast<std::uint16_t>(std::stoi((*line)[2]));
    }

    // Sends `sig` and waits for the exit: its code, or -1 if it had to be killed.
    int stop(int sig = SIGTERM) {
        process.send_signal(sig);
        if (auto code = process.wait(std::chrono::seconds(5))) return *code;
        process.send_signal(SIGKILL);
        process.wait(std::chrono::seconds(5));
        return -1;
    }

    std::string file;
    Process process;
    std::string announced_file;
    std::uint16_t port = 0;

private:
    static std::vector<std::string> args(const std::string& style, const std::string& file,
                                         std::vector<std::string> extra) {
        std::vector<std::string> all = {"--style", style};
        all.insert(all.end(), extra.begin(), extra.end());
        all.push_back(file);
        return all;
    }
};

// A fresh directory under the system's temp dir, removed with what it holds.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "tulip-poetry-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::filesystem::path path;
};

struct ClientRun {
    std::optional<int> code;  // nullopt: it did not end in time (and was killed)
    std::string out, err;
    double total = -1;  // seconds, from "Got N poems in T"
    int poems = -1;     // N, from the same line
};

// poetry-client --style S --out-dir DIR TARGET..., run to its end (at most `timeout`).
inline ClientRun run_client(const std::string& style, const std::filesystem::path& out_dir,
                            const std::vector<std::string>& targets,
                            std::chrono::milliseconds timeout = std::chrono::seconds(8)) {
    std::vector<std::string> args = {"--style", style, "--out-dir", out_dir.string()};
    args.insert(args.end(), targets.begin(), targets.end());
    Process client("poetry-client", args);
    ClientRun run;
    run.code = client.wait(timeout);
    run.out = client.out();
    run.err = client.err();
    static const std::regex got(R"((?:^|\n)Got (\d+) poems in ([0-9:.]+)\n)");
    std::smatch m;
    if (std::regex_search(run.out, m, got)) {
        run.poems = std::stoi(m[1]);
        run.total = parse_timedelta(m[2]);
    }
    return run;
}

inline std::vector<std::string> ports(std::initializer_list<std::uint16_t> list) {
    std::vector<std::string> out;
    for (auto p : list) out.push_back(std::to_string(p));
    return out;
}

}  // namespace tulip::testing::poetry
