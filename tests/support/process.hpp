// support/process: runs a program from TULIP_BIN_DIR as a user would, for the
// app tests: stdin, stdout and stderr are pipes (output is collected by a
// thread per pipe, so a chatty child never blocks on a full pipe), and every
// wait is bounded. A Process still running when destroyed is killed (SIGKILL).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tulip::testing {

class Process {
public:
    // Starts TULIP_BIN_DIR/<program> with `args`; SIGINT, SIGTERM and SIGPIPE
    // at their defaults and no signal blocked. Throws std::runtime_error.
    Process(std::string_view program, const std::vector<std::string>& args);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const noexcept { return pid_; }

    void write_stdin(std::string_view data);
    void close_stdin();
    void send_signal(int sig);

    // Waits until a whole line of stdout matches `pattern`; returns its groups
    // ([0] is the line), or nullopt after `timeout` or once the program exited.
    std::optional<std::vector<std::string>> wait_for_line(const std::regex& pattern,
                                                          std::chrono::milliseconds timeout);
    // Waits until stdout contains `needle`; false after `timeout` or at EOF.
    bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout);

    // Waits for the exit: the exit code, 128 + N after signal N, or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);

    std::string out() const;  // stdout so far
    std::string err() const;  // stderr so far

private:
    struct Pipe {
        int fd = -1;
        std::string text;  // guarded by mutex_
        bool eof = false;  // guarded by mutex_
        std::thread reader;
    };
    void read_into(Pipe& pipe);
    void join_readers();

    pid_t pid_ = -1;
    std::optional<int> status_;  // the exit, once reaped
    int stdin_fd_ = -1;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    Pipe out_;
    Pipe err_;
};

}  // namespace tulip::testing
