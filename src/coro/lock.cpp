#include "tulip/coro/lock.hpp"

#include "tulip/errors.hpp"

namespace tulip {

void Lock::release() {
    if (!locked()) throw RuntimeError("Lock is not acquired.");
    permits_.give();
}

}  // namespace tulip
