#include "tulip/net/accept_errors.hpp"

#include <cerrno>

namespace tulip {

bool accept_error_is_shortage(int err) noexcept {
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

bool accept_error_is_transient(int err) noexcept {
    switch (err) {
        case EPROTO: case EPERM: case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN:
        case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
            return true;
        default:
            return accept_error_is_shortage(err);
    }
}

}  // namespace tulip
