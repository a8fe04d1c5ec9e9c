#include "common/stop_signal.hpp"

#include <pthread.h>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace examples {
namespace {

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

}  // namespace

StopSignal::StopSignal() {
    const sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    waiter_ = std::thread([this] { wait_for_signal(); });
}

StopSignal::~StopSignal() {
    closing_.store(true);
    // A thread-directed SIGTERM is delivered to the waiter's sigwait(), which
    // then sees closing_ and returns instead of requesting a stop.
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
}

void StopSignal::wait_for_signal() {
    const sigset_t set = stop_signals();
    std::optional<std::chrono::steady_clock::time_point> first;
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0 || closing_.load()) return;
        const auto now = std::chrono::steady_clock::now();
        if (!first) {
            first = now;
            request_stop();
        } else if (now - *first > std::chrono::seconds(1)) {
            // Asked again, a while later: the orderly stop is not enough. (Within
            // a second it is the same request twice, as `timeout` or a process
            // group kill can deliver it.)
            std::fputs("second signal: exiting at once\n", stderr);
            std::_Exit(128 + sig);
        }
    }
}

void StopSignal::request_stop() {
    stop_requested_.store(true);  // before the shutdowns: whoever they wake must see it
    const std::lock_guard lock(mutex_);
    for (const int fd : watched_) ::shutdown(fd, SHUT_RDWR);
}

void StopSignal::watch(int fd) {
    const std::lock_guard lock(mutex_);
    watched_.insert(fd);
    if (stop_requested_.load()) ::shutdown(fd, SHUT_RDWR);
}

void StopSignal::unwatch(int fd) {
    const std::lock_guard lock(mutex_);
    watched_.erase(fd);
}

StopSignal::Watch& StopSignal::Watch::operator=(Watch&& other) noexcept {
    if (this != &other) {
        release();
        stop_ = other.stop_;
        fd_ = other.fd_;
        other.stop_ = nullptr;
    }
    return *this;
}

void StopSignal::Watch::release() noexcept {
    if (stop_ != nullptr) stop_->unwatch(fd_);
    stop_ = nullptr;
}

}  // namespace examples
