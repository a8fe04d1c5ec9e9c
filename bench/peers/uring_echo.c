/* uring_echo: the completion model's limit, a minimal C echo server on one
 * io_uring (liburing): a multishot accept, then per connection one recv into
 * its own 64 KiB buffer and, on its completion, one send of what came (the
 * rest resent if short), then the next recv. One io_uring_submit_and_wait per
 * loop round submits every new SQE and reaps every completion. The ring asks
 * for SINGLE_ISSUER | DEFER_TASKRUN (kernel 6.1) and falls back without them.
 *   uring_echo PORT */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <unistd.h>

#include "peer_common.h"

enum { OP_ACCEPT = 0, OP_RECV = 1, OP_SEND = 2 };
enum { BUF = 65536 };

struct conn {
    char* buf;  /* allocated on accept; pages touched as used */
    unsigned len, off;
};

static struct io_uring ring;
static struct conn* conns;

static struct io_uring_sqe* sqe_get(void) {
    struct io_uring_sqe* s = io_uring_get_sqe(&ring);
    if (!s) {
        io_uring_submit(&ring);
        s = io_uring_get_sqe(&ring);
    }
    return s;
}

static void post(int op, int fd) {
    struct io_uring_sqe* s = sqe_get();
    struct conn* c = &conns[fd];
    if (op == OP_RECV) io_uring_prep_recv(s, fd, c->buf, BUF, 0);
    else io_uring_prep_send(s, fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(s, ((__u64)fd << 2) | (__u64)op);
}

static void post_accept(int lfd) {
    struct io_uring_sqe* s = sqe_get();
    io_uring_prep_multishot_accept(s, lfd, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(s, ((__u64)lfd << 2) | OP_ACCEPT);
}

static void close_conn(int fd) {
    free(conns[fd].buf);
    conns[fd].buf = NULL;
    close(fd);
}

int main(int argc, char** argv) {
    if (argc < 2) { fprintf(stderr, "usage: uring_echo PORT\n"); return 64; }
    int lfd = peer_listen(atoi(argv[1]), 0);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    conns = calloc(rl.rlim_cur, sizeof *conns);
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (io_uring_queue_init_params(4096, &ring, &p) < 0) {
        memset(&p, 0, sizeof p);
        int e = io_uring_queue_init_params(4096, &ring, &p);
        if (e < 0) { errno = -e; peer_die("io_uring_queue_init"); }
    }
    io_uring_register_ring_fd(&ring);
    post_accept(lfd);
    for (;;) {
        int e = io_uring_submit_and_wait(&ring, 1);
        if (e < 0 && e != -EINTR) { errno = -e; peer_die("io_uring_submit_and_wait"); }
        struct io_uring_cqe* cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            ++seen;
            __u64 d = io_uring_cqe_get_data64(cqe);
            int fd = (int)(d >> 2), op = (int)(d & 3), res = cqe->res;
            if (op == OP_ACCEPT) {
                if (res >= 0 && (rlim_t)res < rl.rlim_cur) {
                    conns[res].buf = malloc(BUF);
                    post(OP_RECV, res);
                } else if (res >= 0) {
                    close(res);
                }
                if (!(cqe->flags & IORING_CQE_F_MORE)) post_accept(lfd);
            } else if (op == OP_RECV) {
                if (res <= 0) { close_conn(fd); continue; }
                conns[fd].len = (unsigned)res, conns[fd].off = 0;
                post(OP_SEND, fd);
            } else {
                if (res < 0) { close_conn(fd); continue; }
                conns[fd].off += (unsigned)res;
                post(conns[fd].off < conns[fd].len ? OP_SEND : OP_RECV, fd);
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
}
