// tulip net layer: sockets, addresses, name resolution and the error hierarchy.
// Includes nothing from the layers above it (selectors, loop, ...).
#pragma once

#include "tulip/errors.hpp"
#include "tulip/net/accept_errors.hpp"
#include "tulip/net/address.hpp"
#include "tulip/net/getaddrinfo.hpp"
#include "tulip/net/socket.hpp"
