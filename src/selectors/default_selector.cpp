// DefaultSelector: the best selector this platform has. On Linux that is epoll,
// whose select() cost grows with the ready fds, not the registered ones.
#include "tulip/selectors/epoll_selector.hpp"

namespace tulip {

std::unique_ptr<Selector> DefaultSelector() {
    return std::make_unique<EpollSelector>();
}

}  // namespace tulip
