// examples::accept_client (examples/common/accept.hpp), the pre-loop servers'
// one accept(), in-process and deterministic: the stop race that
// test_stop_accept_race.cpp can only provoke by chance is set up here step by
// step (a client waiting, then the stop's shutdown, then accept()), and so are
// the cases that must not change: a real listener error still throws, a
// listener shut down with no stop signal throws (socketserver relies on it),
// and EMFILE is reported and carried on after.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <optional>

#include "common/accept.hpp"
#include "common/stop_signal.hpp"
#include "support/fds.hpp"
#include "support/sanitizers.hpp"
#include "tulip/errors.hpp"
#include "tulip/net.hpp"

namespace tulip::testing {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

// A StopSignal blocks SIGINT and SIGTERM in the thread that makes it and
// leaves them blocked; this one gives the test's thread its mask back.
class ScopedStopSignal {
public:
    ScopedStopSignal() : saved_(current_mask()) { stop.emplace(); }
    ~ScopedStopSignal() {
        stop.reset();
        pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
    }
    ScopedStopSignal(const ScopedStopSignal&) = delete;
    ScopedStopSignal& operator=(const ScopedStopSignal&) = delete;

    std::optional<examples::StopSignal> stop;

private:
    static sigset_t current_mask() {
        sigset_t mask;
        pthread_sigmask(SIG_SETMASK, nullptr, &mask);
        return mask;
    }
    sigset_t saved_;
};

// A non-blocking listener on 127.0.0.1, port 0, as the readiness models have.
Socket listening() {
    Socket listener(AF_INET, SOCK_STREAM);
    listener.bind(Address::ip("127.0.0.1", 0));
    listener.listen();
    listener.setblocking(false);
    return listener;
}

class AcceptClient : public ::testing::Test {
protected:
    void TearDown() override { EXPECT_EQ(count_open_fds(), fds_before_); }

private:
    int fds_before_ = count_open_fds();
};

TEST_F(AcceptClient, AcceptsAWaitingClientAndIsNulloptWhenNobodyWaits) {
    ScopedStopSignal signal;
    Socket listener = listening();
    EXPECT_FALSE(examples::accept_client(listener, &*signal.stop));  // EAGAIN
    Socket client = create_connection("127.0.0.1", listener.getsockname().port(), 1.0);
    auto accepted = examples::accept_client(listener, &*signal.stop);
    ASSERT_TRUE(accepted);
    EXPECT_EQ(accepted->address, client.getsockname());
}

// The race, in order: select() would report the listener readable (a client
// waits), then the stop shuts it down, then the server calls accept().
TEST_F(AcceptClient, AListenerShutDownByTheStopIsAQuietNullopt) {
    ScopedStopSignal signal;
    Socket listener = listening();
    const examples::StopSignal::Watch watch(*signal.stop, listener.fileno());
    Socket client = create_connection("127.0.0.1", listener.getsockname().port(), 1.0);
    signal.stop->request_stop();  // what SIGTERM does: the flag, then shutdown(SHUT_RDWR)

    CaptureStderr();
    std::optional<examples::Accepted> accepted;
    EXPECT_NO_THROW(accepted = examples::accept_client(listener, &*signal.stop));
    EXPECT_FALSE(accepted);
    EXPECT_EQ(GetCapturedStderr(), "");

    // The same listener with no stop signal to explain it: an error, as
    // socketserver's serve_forever() needs in order to return.
    try {
        examples::accept_client(listener, nullptr);
        ADD_FAILURE() << "accept() on a shut-down listener did not throw";
    } catch (const OSError& e) {
        EXPECT_EQ(e.errno_value(), EINVAL);
    }
}

// EINVAL without a stop is a broken listener, stop signal or not.
TEST_F(AcceptClient, AListenerErrorWithoutAStopStillThrows) {
    ScopedStopSignal signal;
    Socket never_listened(AF_INET, SOCK_STREAM);
    try {
        examples::accept_client(never_listened, &*signal.stop);
        ADD_FAILURE() << "accept() on a socket that never listened did not throw";
    } catch (const OSError& e) {
        EXPECT_EQ(e.errno_value(), EINVAL);
    }
}

// Out of descriptors: reported, nullopt, and the next accept() gets the client.
TEST_F(AcceptClient, EmfileIsReportedAndCarriedOn) {
#ifdef TULIP_TEST_SANITIZED
    GTEST_SKIP() << "sanitizer runtimes need free descriptors themselves";
#endif
    ScopedStopSignal signal;
    Socket listener = listening();
    Socket client = create_connection("127.0.0.1", listener.getsockname().port(), 1.0);

    CaptureStderr();  // first: capturing opens descriptors of its own
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    const int lowest_free = ::dup(0);  // every descriptor below it is taken
    ASSERT_GE(lowest_free, 0);
    ::close(lowest_free);
    rlimit tight = saved;
    tight.rlim_cur = static_cast<rlim_t>(lowest_free);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
    std::optional<examples::Accepted> accepted;
    EXPECT_NO_THROW(accepted = examples::accept_client(listener, &*signal.stop));
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
    const std::string err = GetCapturedStderr();

    EXPECT_FALSE(accepted);
    EXPECT_NE(err.find("accept failed: "), std::string::npos) << err;
    EXPECT_NE(err.find("carrying on"), std::string::npos) << err;
    accepted = examples::accept_client(listener, &*signal.stop);
    EXPECT_TRUE(accepted) << "the client that met EMFILE was lost";
}

}  // namespace
}  // namespace tulip::testing
