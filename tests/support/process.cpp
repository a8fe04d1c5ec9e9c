#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace tulip::testing {
namespace {

void check_zero(int rc, const char* what) {
    if (rc != 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(rc));
}

void make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0) check_zero(errno, "pipe2");
}

}  // namespace

Process::Process(std::string_view program, const std::vector<std::string>& args) {
    const std::string path = std::string(TULIP_BIN_DIR) + "/" + std::string(program);
    int in[2], out[2], err[2];
    make_pipe(in);
    make_pipe(out);
    make_pipe(err);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);

    // The child must not inherit a test's signal mask or ignored SIGPIPE.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (const int sig : {SIGINT, SIGTERM, SIGPIPE}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, path.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    for (const int fd : {in[0], out[1], err[1]}) ::close(fd);
    stdin_fd_ = in[1];
    out_.fd = out[0];
    err_.fd = err[0];
    if (rc != 0) {
        for (const int fd : {in[1], out[0], err[0]}) ::close(fd);
        check_zero(rc, path.c_str());
    }
    out_.reader = std::thread([this] { read_into(out_); });
    err_.reader = std::thread([this] { read_into(err_); });
}

Process::~Process() {
    if (!status_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    close_stdin();
    join_readers();
}

void Process::read_into(Pipe& pipe) {
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(pipe.fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        const std::lock_guard lock(mutex_);
        if (n <= 0) {
            pipe.eof = true;
            changed_.notify_all();
            return;
        }
        pipe.text.append(buffer, static_cast<std::size_t>(n));
        changed_.notify_all();
    }
}

void Process::join_readers() {
    for (Pipe* pipe : {&out_, &err_}) {
        if (pipe->reader.joinable()) pipe->reader.join();
        if (pipe->fd >= 0) ::close(pipe->fd);
        pipe->fd = -1;
    }
}

void Process::write_stdin(std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(stdin_fd_, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(std::string("write to stdin: ") + std::strerror(errno));
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void Process::close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

void Process::send_signal(int sig) {
    if (!status_) ::kill(pid_, sig);
}

std::optional<std::vector<std::string>> Process::wait_for_line(const std::regex& pattern,
                                                               std::chrono::milliseconds timeout) {
    std::optional<std::vector<std::string>> found;
    std::size_t scanned = 0;  // complete lines before this offset did not match
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] {
        for (std::size_t end; (end = out_.text.find('\n', scanned)) != std::string::npos;) {
            const std::string line = out_.text.substr(scanned, end - scanned);
            scanned = end + 1;
            std::smatch match;
            if (std::regex_search(line, match, pattern)) {
                found.emplace(match.begin(), match.end());
                return true;
            }
        }
        return out_.eof;
    });
    return found;
}

bool Process::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return out_.text.find(needle) != std::string::npos || out_.eof;
    }) && out_.text.find(needle) != std::string::npos;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            status_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    join_readers();  // the program is gone: its pipes reach EOF
    return status_;
}

std::string Process::out() const {
    const std::lock_guard lock(mutex_);
    return out_.text;
}

std::string Process::err() const {
    const std::lock_guard lock(mutex_);
    return err_.text;
}

}  // namespace tulip::testing
