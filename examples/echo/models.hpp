// echo/models: the echo-server models, numbered along the seeds' path from one
// blocking client at a time to a selector loop. Each serves until a stop is
// requested, then closes everything it opened and returns.
#pragma once

#include "echo/server.hpp"

namespace echo {

void serve_blocking(Server& server);      // s01: seed 000, one client at a time
void serve_lines(Server& server);         // s02: seed 001 listing 3.2, telnet lines
void serve_naive_multi(Server& server);   // s03: seed 001 listing 3.3, clients block each other
void serve_threaded(Server& server);      // s04: seed 000, a thread per connection
void serve_socketserver(Server& server);  // s05: seed 000, socketserver.ThreadingTCPServer
void serve_busy(Server& server);          // s06: seed 001 listings 3.4-3.6, non-blocking spin
void serve_select(Server& server);        // s07: seeds 004 and 000, select(2)
void serve_poll(Server& server);          // s08: seeds 004 and 000, poll(2)
void serve_epoll(Server& server);         // s09: seed 000, epoll(7) level-triggered
void serve_epoll_et(Server& server);      // s09: the same, edge-triggered
void serve_selectors(Server& server);     // s11: seeds 000 and 001 3.7, tulip::DefaultSelector

}  // namespace echo
