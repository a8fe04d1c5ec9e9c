// poetry/download: one poem being fetched by poetry-client: the file it goes
// to (<out-dir>/PORT.txt), its byte count and timing, and the seed's lines
// about it ("Task 1: got 460 bytes of poetry from 127.0.0.1:10000 in 0:00:00.461").
// Every client style asks for each chunk with `poems`, as the seed's protocol
// client does: the protocol server needs the requests, the others drop them,
// so any client style works with any server style.
#pragma once

#include <chrono>
#include <cstddef>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "poetry/options.hpp"
#include "tulip/errors.hpp"
#include "tulip/net/socket.hpp"

namespace poetry {

class Download {
public:
    Download(std::size_t task, Target target, std::string path)
        : task_(task), target_(std::move(target)), path_(std::move(path)) {}

    const Target& target() const noexcept { return target_; }
    std::size_t bytes() const noexcept { return bytes_; }
    bool ok() const noexcept { return ok_; }

    // "Task 1: get poetry from: 127.0.0.1:10000"; opens the file, starts the clock.
    // Throws std::runtime_error when the file cannot be written.
    void start();
    void received(std::string_view data);  // appended to the file
    // The poem is complete: closes the file, prints "Task 1: got N bytes of
    // poetry from ADDR in T" and returns T in seconds.
    double finish();
    // The download broke off (the reason goes to stderr); the file keeps what came.
    void fail(std::string_view why);

private:
    std::size_t task_;
    Target target_;
    std::string path_;
    std::ofstream file_;
    std::size_t bytes_ = 0;
    std::chrono::steady_clock::time_point started_;
    bool ok_ = false;
};

// For the styles that watch non-blocking sockets (selectors, loop): each style
// registers and unregisters with its own API, around these two steps.

// start(), connect to the target and send the first request. The socket comes
// back non-blocking; nullopt when that failed (reported with fail()).
std::optional<tulip::Socket> connect_download(Download& download);

// `sock` is readable: save the piece that came and ask for the next one. At EOF
// or on an error, calls `unregister()` (which must close `sock`) before finish()
// or fail(), as the seed removes a socket before it reports.
template <class Unregister>
void receive_piece(Download& download, tulip::Socket& sock, Unregister&& unregister) {
    try {
        const std::string data = sock.recv(1024);
        if (data.empty()) {
            unregister();
            download.finish();
            return;
        }
        download.received(data);
        // Five bytes always fit, except in a socket whose server never reads; only
        // the streaming servers do not read, and they need no requests.
        sock.send(request);
    } catch (const tulip::BlockingIOError&) {
        // Readable was a false alarm, or the request did not fit: carry on.
    } catch (const tulip::OSError& e) {
        unregister();
        download.fail(e.what());
    }
}

// One Download per target, in order, into `out_dir`: PORT.txt as in the seed;
// a port named again (the same server twice, or two hosts) gets PORT-2.txt, ...
std::vector<Download> plan_downloads(const ClientOptions& options);

// Python's str(timedelta(seconds=s)): "0:00:01.234567", or "0:00:02" when whole.
std::string format_timedelta(double seconds);

// Seconds since `start`, for the concurrent styles' total.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace poetry
