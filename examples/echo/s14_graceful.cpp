// s14 graceful: seed 001 listing 3.10 ("优雅关闭"), with the flaws the text
// lists fixed. Its shape is the seed's: a loop of our own (not run()), a main
// task awaiting connection_listener(), which keeps every echo task (3.5.3's
// echo, "boom\r\n" included) in echo_tasks; on SIGINT or SIGTERM the main task
// ends (the seed raises GracefulExit out of run_until_complete; a tulip loop
// never lets a callback's exception out, so the handler cancels the main task
// and run_until_complete raises CancelledError instead); then
// run_until_complete(close_echo_tasks(echo_tasks)), then loop.close().
//
// Fixed, against the seed:
// - It stops accepting first: the listening socket belongs to main's frame, so
//   it is closed before the grace period starts. New connections are refused.
// - One grace period (--grace, 2 s) for all the tasks together. The seed awaits
//   one wait_for(task, 2) after another, so N idle clients cost 2N seconds.
//   Here asyncio.wait(tasks, timeout=grace) waits for all at once; those still
//   running are cancelled and waited for (which closes their connections).
// - Every failure is reported, not only the first: the seed's loop stops at the
//   first exception other than TimeoutError and never looks at the others. Here
//   each task's outcome is read and each failure is written to stderr. (With the
//   default echo() failures are caught inside the task; with --unhandled they
//   reach this report, or the reaping below.)
// - echo_tasks does not grow forever: finished tasks are reaped, and their
//   failures reported, whenever a new connection is accepted.
// During the grace period connected clients are still echoed; a client that
// closes ends its task, and once all have ended the program exits at once.
// Unless --plain, it says what it does ("Got SIGTERM: ...", "... cancelled").
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <vector>

#include "echo/loop_models.hpp"
#include "echo/voice.hpp"

namespace echo {
namespace {

using EchoTasks = std::vector<tulip::Task<void>>;

// A finished task's failure, as one line on stderr; true if it failed. Reading
// exception() marks it retrieved, so the loop will not report it again.
bool report_failure(tulip::Task<void>& task) {
    if (task.cancelled()) return false;
    const std::exception_ptr error = task.exception();
    if (!error) return false;
    const std::string text =
        fmt::format("echo task {} failed: {}\n", task.get_name(), tulip::describe_exception(error));
    std::fputs(text.c_str(), stderr);
    return true;
}

void reap(EchoTasks& echo_tasks) {
    std::erase_if(echo_tasks, [](tulip::Task<void>& task) {
        if (!task.done()) return false;
        report_failure(task);
        return true;
    });
}

tulip::Coro<void> connection_listener(tulip::Socket& server_socket, tulip::EventLoop& loop, const LoopServer& server,
                                      EchoTasks& echo_tasks) {
    for (;;) {
        Accepted client = co_await accept_connection(loop, server_socket, server);
        reap(echo_tasks);
        echo_tasks.push_back(loop.create_task(echo_boom(std::move(client), loop, server)));
    }
}

tulip::Coro<void> main_graceful(const LoopServer& server, EchoTasks& echo_tasks) {
    tulip::Socket server_socket = open_loop_listener(server.options);  // closed as main ends
    co_await connection_listener(server_socket, tulip::get_running_loop(), server, echo_tasks);
}

tulip::Coro<void> close_echo_tasks(EchoTasks echo_tasks, const LoopServer& server) {
    if (echo_tasks.empty()) co_return;
    EchoTasks all = echo_tasks;
    auto waited = co_await tulip::wait(std::move(all), server.loop_options.grace);
    EchoTasks& pending = waited.second;
    for (tulip::Task<void>& task : pending) task.cancel();
    if (!pending.empty()) {
        EchoTasks cancelling = pending;
        co_await tulip::wait(std::move(cancelling));  // cancelled tasks unwind, closing their sockets
    }
    std::size_t failed = 0;
    for (tulip::Task<void>& task : echo_tasks) failed += report_failure(task) ? 1 : 0;
    if (!server.plain()) {
        say(fmt::format("{} echo task(s) finished in time, {} cancelled after the grace period, {} failed",
                        echo_tasks.size() - pending.size() - failed, pending.size(), failed));
    }
}

}  // namespace

void serve_graceful(const LoopServer& server) {
    tulip::EventLoop loop;
    EchoTasks echo_tasks;  // after the loop: tasks go before it does
    tulip::Task<void> main_task = loop.create_task(main_graceful(server, echo_tasks));
    int received = 0;
    {
        const StopSignals signals(loop, [&](int sig) {
            if (received != 0) return;  // the grace period is bounded; a second signal waits for it
            received = sig;
            main_task.cancel();  // the seed's `raise GracefulExit()`
        });
        try {
            loop.run_until_complete(main_task);
        } catch (const tulip::CancelledError&) {
            if (received == 0) throw;
        }
        if (!server.plain()) {
            const auto running = std::count_if(echo_tasks.begin(), echo_tasks.end(),
                                               [](const tulip::Task<void>& task) { return !task.done(); });
            say(fmt::format("Got {}: no longer accepting connections; {} echo task(s) have {} s to finish",
                            signal_name(received), running, server.loop_options.grace));
        }
        loop.run_until_complete(close_echo_tasks(echo_tasks, server));
    }
    loop.close();
}

}  // namespace echo
