// apps/echo_models: the echo-server models as the app tests see them: what
// each replies to "hello\r\n" without --plain (its seed's words), and whether
// it serves a second client while the first sits connected and silent.
// (Which EchoModel is which: the models' comments in examples/echo/s*.cpp.)
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tulip::testing {

struct EchoModel {
    std::string_view name;
    std::string_view hello_reply;  // the decorated reply to "hello\r\n"
    bool concurrent;               // serves client 2 while client 1 is idle
    // False for naive-multi: after one round over its clients it blocks in
    // accept(), so a client's next message waits for the next client (the seed's point).
    bool keeps_serving = true;
};

inline constexpr std::string_view hello = "hello\r\n";

inline const std::vector<EchoModel>& echo_models() {
    static const std::vector<EchoModel> models = {
        {"blocking", "服务端收到, 你发的消息是: hello\r\n", false},
        {"lines", "hello\r\n", false},
        {"naive-multi", "hello\r\n", false, false},
        {"threaded", "服务端收到, 你发的消息是: hello\r\n", true},
        {"socketserver", "服务端收到, 你发的消息是: hello\r\n", true},
        {"busy", "hello\r\n", true},
        {"select", "Server received b'hello\\r\\n'", true},
        {"poll", "Server received b'hello\\r\\n'", true},
        {"epoll", "服务端收到, 你发的消息是: hello\r\n", true},
        {"epoll-et", "服务端收到, 你发的消息是: hello\r\n", true},
        {"selectors", "hello\r\n", true},
        // On the event loop (examples/echo/s12-s16): seed 001's plain echo.
        {"coroutine", "hello\r\n", true},
        {"coroutine-boom", "hello\r\n", true},
        {"graceful", "hello\r\n", true},
        {"protocol", "hello\r\n", true},
        {"streams", "hello\r\n", true},
    };
    return models;
}

inline std::vector<EchoModel> echo_models_where(bool concurrent) {
    std::vector<EchoModel> chosen;
    for (const EchoModel& m : echo_models()) {
        if (m.concurrent == concurrent) chosen.push_back(m);
    }
    return chosen;
}

// Test names: "epoll-et" -> "epoll_et".
inline std::string echo_model_name(const ::testing::TestParamInfo<EchoModel>& info) {
    std::string name(info.param.name);
    for (char& c : name) {
        if (c == '-') c = '_';
    }
    return name;
}

inline void PrintTo(const EchoModel& model, std::ostream* os) {
    *os << model.name;
}

}  // namespace tulip::testing
