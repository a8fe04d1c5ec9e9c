/* uv_echo: a libuv echo server as libuv's users write a fast one: uv_read_start
 * into one shared 64 KiB buffer, uv_try_write of what came, and only what the
 * socket did not take is copied into a uv_write request.
 *   uv_echo PORT */
#include <uv.h>

#include "peer_common.h"

static char rbuf[65536];

struct pending_write {
    uv_write_t req;
    uv_buf_t buf;
};

static void on_alloc(uv_handle_t* h, size_t hint, uv_buf_t* b) {
    (void)h, (void)hint;
    *b = uv_buf_init(rbuf, sizeof rbuf);
}

static void on_close(uv_handle_t* h) { free(h); }

static void on_written(uv_write_t* req, int status) {
    struct pending_write* w = (struct pending_write*)req;
    if (status < 0) uv_close((uv_handle_t*)req->handle, on_close);
    free(w->buf.base);
    free(w);
}

static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
    if (n < 0) {
        uv_close((uv_handle_t*)s, on_close);
        return;
    }
    if (n == 0) return;
    uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
    int w = uv_stream_get_write_queue_size(s) == 0 ? uv_try_write(s, &out, 1) : 0;
    if (w < 0 && w != UV_EAGAIN) {
        uv_close((uv_handle_t*)s, on_close);
        return;
    }
    if (w < 0) w = 0;
    if (w == n) return;
    struct pending_write* pw = malloc(sizeof *pw);
    pw->buf = uv_buf_init(malloc((size_t)(n - w)), (unsigned)(n - w));
    memcpy(pw->buf.base, b->base + w, (size_t)(n - w));
    uv_write(&pw->req, s, &pw->buf, 1, on_written);
}

static void on_connection(uv_stream_t* server, int status) {
    if (status < 0) return;
    uv_tcp_t* client = malloc(sizeof *client);
    uv_tcp_init(server->loop, client);
    if (uv_accept(server, (uv_stream_t*)client) == 0) {
        uv_tcp_nodelay(client, 1);
        uv_read_start((uv_stream_t*)client, on_alloc, on_read);
    } else {
        uv_close((uv_handle_t*)client, on_close);
    }
}

int main(int argc, char** argv) {
    if (argc < 2) { fprintf(stderr, "usage: uv_echo PORT\n"); return 64; }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    uv_loop_t* loop = uv_default_loop();
    uv_tcp_t server;
    uv_tcp_init(loop, &server);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", atoi(argv[1]), &a);
    if (uv_tcp_bind(&server, (const struct sockaddr*)&a, 0) != 0) peer_die("bind");
    if (uv_listen((uv_stream_t*)&server, SOMAXCONN, on_connection) != 0) peer_die("listen");
    int len = sizeof a;
    uv_tcp_getsockname(&server, (struct sockaddr*)&a, &len);
    printf("Listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT);
}
