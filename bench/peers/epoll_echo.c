/* epoll_echo: the readiness model's limit, a minimal C echo server on one
 * level-triggered epoll loop: per message one epoll_wait (shared by every
 * ready connection), one read and one write. What a write does not take is
 * kept and sent on EPOLLOUT, and the connection is not read meanwhile.
 *   epoll_echo PORT          byte echo
 *   epoll_echo PORT chat     every complete line goes to every connection
 *                            (the chat fan-out scenario's reference) */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "peer_common.h"

struct conn {  /* indexed by fd; out is non-NULL only while a write is pending */
    char* out;
    size_t out_len, out_off;
    char* line;  /* chat: the partial line */
    size_t line_len;
    int open;
};

static struct conn* conns;
static int nconns_max, ep, chat;
static int* members; /* chat: open fds */
static int nmembers;

static void set_out(int fd, int on) {
    struct epoll_event ev = {.events = on ? EPOLLOUT : EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void close_conn(int fd) {
    struct conn* c = &conns[fd];
    free(c->out);
    free(c->line);
    memset(c, 0, sizeof *c);
    close(fd);
    for (int i = 0; i < nmembers; ++i)
        if (members[i] == fd) { members[i] = members[--nmembers]; break; }
}

/* Sends, or queues what the socket does not take. */
static void send_or_queue(int fd, const char* p, size_t n) {
    struct conn* c = &conns[fd];
    if (!c->open) return;
    if (!c->out) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno != EAGAIN) { close_conn(fd); return; }
            w = 0;
        }
        if ((size_t)w == n) return;
        p += w, n -= (size_t)w;
        set_out(fd, 1);
    }
    c->out = realloc(c->out, c->out_len + n);
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

static void on_chat(int fd, const char* p, size_t n) {
    struct conn* c = &conns[fd];
    c->line = realloc(c->line, c->line_len + n);
    memcpy(c->line + c->line_len, p, n);
    c->line_len += n;
    size_t start = 0;
    for (size_t i = 0; i < c->line_len; ++i) {
        if (c->line[i] != '\n') continue;
        for (int m = 0; m < nmembers; ++m) send_or_queue(members[m], c->line + start, i + 1 - start);
        start = i + 1;
    }
    memmove(c->line, c->line + start, c->line_len - start);
    c->line_len -= start;
}

int main(int argc, char** argv) {
    if (argc < 2) { fprintf(stderr, "usage: epoll_echo PORT [chat]\n"); return 64; }
    chat = argc > 2 && strcmp(argv[2], "chat") == 0;
    int lfd = peer_listen(atoi(argv[1]), 1);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    nconns_max = (int)rl.rlim_cur;
    conns = calloc((size_t)nconns_max, sizeof *conns);
    members = calloc((size_t)nconns_max, sizeof *members);
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    static char buf[65536];
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, -1);
        for (int i = 0; i < n; ++i) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int cfd;
                while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    if (cfd >= nconns_max) { close(cfd); continue; }
                    conns[cfd].open = 1;
                    if (chat) members[nmembers++] = cfd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
                }
                continue;
            }
            struct conn* c = &conns[fd];
            if (!c->open) continue;
            if (evs[i].events & EPOLLOUT) {
                ssize_t w = write(fd, c->out + c->out_off, c->out_len - c->out_off);
                if (w < 0 && errno != EAGAIN) { close_conn(fd); continue; }
                if (w > 0) c->out_off += (size_t)w;
                if (c->out_off == c->out_len) {
                    free(c->out);
                    c->out = NULL, c->out_len = c->out_off = 0;
                    set_out(fd, 0);
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                close_conn(fd);
                continue;
            }
            if (chat) on_chat(fd, buf, (size_t)r);
            else send_or_queue(fd, buf, (size_t)r);
        }
    }
}
