/* peer_common.h: what the C peers of `make bench` share: a non-blocking
 * listener on 127.0.0.1:PORT (backlog SOMAXCONN), the ready line the runner
 * waits for, and RLIMIT_NOFILE raised to its hard limit for 10,000 clients. */
#ifndef BENCH_PEER_COMMON_H
#define BENCH_PEER_COMMON_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

static inline void peer_die(const char* what) {
    perror(what);
    exit(1);
}

static inline int peer_listen(int port, int nonblock) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) peer_die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0) peer_die("bind");
    if (listen(fd, SOMAXCONN) != 0) peer_die("listen");
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr*)&a, &len);
    printf("Listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

#endif
