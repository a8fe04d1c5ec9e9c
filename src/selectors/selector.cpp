// The bookkeeping every selector shares (Python's _BaseSelectorImpl): argument
// checks, the fd -> key table, stale-key replacement and the select() answer.
#include "tulip/selectors/selector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sys/fd_table.hpp"
#include "sys/syscalls.hpp"
#include "tulip/errors.hpp"

namespace tulip {

namespace {

constexpr Events all_events = EVENT_READ | EVENT_WRITE;

void check_arguments(int fd, Events events) {
    if (fd < 0) throw ValueError(fmt::format("Invalid file descriptor: {}", fd));
    if (events == 0 || (events & ~all_events) != 0)
        throw ValueError(fmt::format("Invalid events: {:#x}", events));
}

[[noreturn]] void raise_not_registered(int fd) {
    throw KeyError(fmt::format("fd {} is not registered", fd));
}

std::int64_t seconds_to_ns(double timeout) {
    if (std::isnan(timeout)) throw ValueError("Invalid timeout: nan");
    if (timeout < 0) return -1;
    // Rounded up, so that a wait never ends before the caller's deadline and then
    // spins on a zero timeout (Python's selectors do the same with milliseconds).
    constexpr double max_ns = static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2);
    double ns = std::ceil(timeout * 1e9);
    return ns >= max_ns ? static_cast<std::int64_t>(max_ns) : static_cast<std::int64_t>(ns);
}

// st_dev and st_ino in one word: the inode number, its bits flipped by a multiple
// of the device's. Two files of one file system (all sockets are on sockfs) never
// share it; files of two devices could, which only makes a stale key look live,
// as every key does in Python's selectors.
std::uint64_t file_id(const struct stat& st) noexcept {
    return static_cast<std::uint64_t>(st.st_ino) ^ (static_cast<std::uint64_t>(st.st_dev) * 0x9e3779b97f4a7c15u);
}

}  // namespace

void Selector::check_open() const {
    if (closed_) throw RuntimeError("Selector is closed");
}

Selector::Registration& Selector::slot(int fd) {
    auto index = static_cast<std::size_t>(fd);
    return sys::fd_slot(slots_, index);
}

bool Selector::names_same_file(const Registration& reg) const noexcept {
    struct stat st;
    return sys::fstat(fd_of(reg), &st) == 0 && file_id(st) == reg.file;
}

void Selector::forget(Registration& reg) noexcept {
    reg = Registration{};
    --count_;
}

SelectorKey Selector::add(int fd, Events events, void* data) {
    return add_with_flags(fd, events, data, 0);
}

SelectorKey Selector::add_with_flags(int fd, Events events, void* data, std::uint32_t flags) {
    check_open();
    check_arguments(fd, events);
    struct stat st;
    check(sys::fstat(fd, &st), fmt::format("fd {}", fd));
    if (const Registration* old = find(fd)) {
        // The old key's fd was closed without remove() and its number reused by
        // another file: that key is dead, so the new owner takes the slot over.
        if (names_same_file(*old)) throw KeyError(fmt::format("fd {} is already registered", fd));
        Registration& stale = slot(fd);
        unwatch(stale);
        forget(stale);
    }
    Registration& reg = slot(fd);
    reg.data = data;
    reg.events = static_cast<std::uint8_t>(events);
    reg.file = file_id(st);
    reg.generation = ++next_generation_;
    reg.flags = static_cast<std::uint8_t>(flags);
    ++count_;
    try {
        watch(reg);
    } catch (...) {
        forget(reg);
        throw;
    }
    return key_of(reg);
}

SelectorKey Selector::modify(int fd, Events events, void* data) {
    check_open();
    check_arguments(fd, events);
    if (find(fd) == nullptr) raise_not_registered(fd);
    Registration& reg = slot(fd);
    reg.data = data;
    if (events != reg.events) {
        reg.events = static_cast<std::uint8_t>(events);
        try {
            rewatch(reg);
        } catch (...) {
            // Python's modify() drops the key when the backend refuses the change.
            unwatch(reg);
            forget(reg);
            throw;
        }
    }
    return key_of(reg);
}

SelectorKey Selector::remove(int fd) {
    check_open();
    if (find(fd) == nullptr) raise_not_registered(fd);
    Registration& reg = slot(fd);
    SelectorKey key = key_of(reg);
    unwatch(reg);
    forget(reg);
    return key;
}

const std::vector<Ready>& Selector::select(double timeout) {
    return select_ns(seconds_to_ns(timeout));
}

void Selector::begin_select() {
    check_open();
    ready_.clear();
}

SelectorKey Selector::get_key(int fd) const {
    check_open();
    const Registration* reg = find(fd);
    if (reg == nullptr) raise_not_registered(fd);
    return key_of(*reg);
}

std::vector<SelectorKey> Selector::get_map() const {
    check_open();
    std::vector<SelectorKey> keys;
    keys.reserve(count_);
    for (const Registration& reg : slots_)
        if (reg.events != 0) keys.push_back(key_of(reg));
    return keys;
}

std::size_t Selector::size() const {
    check_open();
    return count_;
}

void Selector::close() {
    closed_ = true;
    slots_.clear();
    slots_.shrink_to_fit();
    ready_.clear();
    count_ = 0;
}

}  // namespace tulip
