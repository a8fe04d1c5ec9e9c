#include "tulip/coro/gather.hpp"

#include "tulip/coro/cancelled.hpp"

namespace tulip::detail {

std::string cancelled_message(FutureBase& future) {
    try {
        future.exception();  // throws the CancelledError of a cancelled future
    } catch (const CancelledError& e) {
        return e.message();
    }
    return {};
}

}  // namespace tulip::detail
