// The coroutine halves of the loop's executor API: shutdown_default_executor
// and getaddrinfo (declared in loop/event_loop.hpp, Future-typed here).
#include "tulip/coro/executor.hpp"

namespace tulip {

namespace {

// Posted by the thread that joined the executor's workers.
class ExecutorJoined final : public LoopJob {
public:
    ExecutorJoined(EventLoop& loop, Ref<FutureState<void>> state) : LoopJob(loop), state_(std::move(state)) {}

private:
    void work() noexcept override {}
    void finish() noexcept override {
        if (!state_->done()) state_->set_result();
    }
    Ref<FutureState<void>> state_;
};

}  // namespace

Coro<void> EventLoop::shutdown_default_executor() {
    Future<void> joined(*this);
    auto* done = new ExecutorJoined(*this, Ref<FutureState<void>>(joined.state()));
    bool started;
    try {
        started = shutdown_executor_async(done);
    } catch (...) {
        delete done;
        throw;
    }
    if (!started) {
        delete done;
        co_return;
    }
    co_await joined;
    join_executor_helper();
}

Coro<std::vector<AddrInfo>> EventLoop::getaddrinfo(std::string host, std::string port, int family, int type,
                                                   int proto, int flags) {
    auto resolve = [host = std::move(host), port = std::move(port), family, type, proto, flags] {
        return tulip::getaddrinfo(host, port, family, type, proto, flags);
    };
    Future<std::vector<AddrInfo>> resolved = run_in_executor(std::move(resolve));
    co_return co_await resolved;
}

}  // namespace tulip
