// tulip selectors layer: Python's selectors module. Selector and its keys, the
// select/poll/epoll/io_uring backends and DefaultSelector. Includes only the net layer.
#pragma once

#include "tulip/selectors/epoll_selector.hpp"
#include "tulip/selectors/poll_selector.hpp"
#include "tulip/selectors/select_selector.hpp"
#include "tulip/selectors/selector.hpp"
#include "tulip/selectors/uring_selector.hpp"
