/* sseload.c — load generator for the events hub (`make bench`, tests/bench/events.sh).
 *
 * One thread, one epoll loop. It opens N Server-Sent Events streams (GET /api/v1/events with
 * a bearer token each), then sends messages into the users' groups at a paced rate over a pool
 * of keep-alive connections (POST /api/v1/conversations/<id>/messages, bearer of a member),
 * and measures send-to-receive latency: each message body is "t=<ns>;s=<step>", where t is
 * the CLOCK_MONOTONIC time the message was due to be sent (the same clock as the receiving
 * side, since both are this process), so a queue in front of the server counts as latency.
 *
 *   sseload --port P [--port2 P2] --tokens FILE --streams N [--warm W] [--hold]
 *           [--rates 25,50,100 | --rate R] [--seconds S] [--senders 32] [--p99-ms 200] [--warmup R] [--nchan]
 *
 * --port2: every other stream goes to a second node on P2 (more streams than one lighttpd
 * may hold: two descriptors each, and a process limit of 20,000 on some hosts); sends go to P.
 * FILE has one line per user: "<token> <uid> <group id>", sorted by group; the first N lines
 * get a stream, and messages go only to groups whose members all have one.
 * --warm W opens W streams first and waits for SIGUSR1 before opening the rest; --hold waits
 * for SIGUSR1 once all streams are open (SIGINT/SIGTERM end it), so that a script can read
 * the servers' memory in between. Without rates it ends there. --warmup R sends at R msgs/s
 * for one step before the ramp, unmeasured (each server thread's first request connects to
 * PostgreSQL and prepares its statements).
 *
 * Output, one line each, on stdout (stable, parsed by events.sh):
 *   warm streams=W failed=F seconds=T
 *   warmup rate=R sent=M ok=K errors=E deliveries=D expected=X p50_ms= p99_ms=
 *   open streams=N failed=F seconds=T
 *   step rate=R seconds=S sent=M ok=K errors=E deliveries=D expected=X p50_ms= p99_ms= max_ms=
 *        deliveries_per_s= sends_per_s= closed=C send_p50_ms= send_p99_ms= pass=0|1 t0_ns= t1_ns=
 *   (send_*: from the time a message was due to its 201, i.e. the POST alone; t0_ns and t1_ns:
 *   the step's start and end on CLOCK_MONOTONIC, for tests/bench/cpusample.py)
 *   result rate=R deliveries_per_s=D p99_ms=P       (the highest passing step; rate=0: none)
 * --nchan: the same load against nginx + nchan (the peer `make bench` compares with): each
 * stream subscribes to its group's channel (GET /sub/<group id>, EventSource), and a send
 * publishes the bare body to it (POST /pub/<group id>, 201/202). Nothing is persisted there.
 * Diagnostics (the first failed responses, closed streams) go to stderr. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

typedef struct { char tok[64]; long long uid, gid; } user_t;
typedef struct { long long gid; int first, n; } group_t;

enum { K_STREAM = 1, K_SEND, K_TIMER, K_SIGNAL };
enum { S_CONNECTING, S_WRITING, S_HEADERS, S_BODY, S_IDLE, S_DEAD };
enum { CS_SIZE, CS_EXT, CS_DATA, CS_DATA_END, CS_TRAILER, CS_DONE };

typedef struct conn {
    int kind, state, fd, idx;
    char *out;                   /* the request being written */
    size_t outlen, outoff;
    char *in;                    /* headers, then (streams) the current SSE line */
    size_t inlen, incap;
    int chunked, cstate, cline_empty;
    long long crem;              /* chunk bytes left */
    long long clen;              /* Content-Length bytes left; -1 without one */
    int status, close_after, reused, got;
    char errbody[160];           /* start of a failed response's body */
    size_t errlen;
    long long msg;               /* sender: the message in flight (-1 none) */
} conn;

static struct {
    const char *host, *tokens;
    int port, port2, streams, warm, hold, senders, seconds, nrates, max_inflight, warmup, nchan;
    double rates[33], p99_limit;
} opt = {"127.0.0.1", NULL, 0, 0, 0, 0, 0, 32, 8, 0, 256, 0, 0, {0}, 200.0};

static user_t *users;
static int nusers;
static group_t *groups;          /* the groups that are complete within the streams */
static int ngroups;
static int ep;
static struct sockaddr_in addr, addr2;   /* addr2: --port2, for odd streams */

static long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "sseload: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ---- state of the run ------------------------------------------------------------------- */

static conn *streams_c;          /* [opt.streams] */
static int st_started, st_open, st_failed, st_closed, st_target, st_inflight;
static int diag_left = 8;

static conn *send_c;             /* [opt.senders] */
static int step = -1;            /* index into opt.rates */
static double rate;
static long long step_t0, step_total, step_sched, step_done_sched_ns;
static long long s_ok, s_err, s_retry, s_deliv, s_expected, s_stray, s_last_resp_ns, s_last_deliv_ns;
static long long *retry_q;       /* messages to send again on a fresh connection */
static int retry_n, retry_cap;
static long long *lat;           /* latencies of this step, microseconds */
static size_t lat_n, lat_cap;
static long long *rlat;          /* due time to 201 of each send of this step, microseconds */
static size_t rlat_n, rlat_cap;
static int closed_at_step0;
static int best_step = -1;
static double best_dps, best_p99;
static unsigned cid_counter;

enum { PH_OPEN, PH_HOLD, PH_SEND, PH_DRAIN, PH_END };
static int phase;
static long long phase_t0;
static int hold_after_open;      /* 1: warm hold, 2: final hold */

static void lat_add(long long us)
{
    if (lat_n == lat_cap) {
        lat_cap = lat_cap ? lat_cap * 2 : 65536;
        lat = realloc(lat, lat_cap * sizeof *lat);
        if (!lat) die("realloc");
    }
    lat[lat_n++] = us;
}

static void rlat_add(long long us)
{
    if (rlat_n == rlat_cap) {
        rlat_cap = rlat_cap ? rlat_cap * 2 : 8192;
        rlat = realloc(rlat, rlat_cap * sizeof *rlat);
        if (!rlat) die("realloc");
    }
    rlat[rlat_n++] = us;
}

static void ep_set(conn *c, uint32_t events, int add)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev) != 0) die("epoll_ctl");
}

static void conn_reset(conn *c)
{
    if (c->fd >= 0) close(c->fd);          /* closing removes it from the epoll set */
    c->fd = -1;
    free(c->out);
    c->out = NULL;
    c->outlen = c->outoff = 0;
    c->inlen = 0;
    c->chunked = 0;
    c->cstate = CS_SIZE;
    c->crem = 0;
    c->clen = -1;
    c->status = 0;
    c->close_after = 0;
    c->got = 0;
    c->errlen = 0;
    c->state = S_DEAD;
}

static int conn_open(conn *c)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const struct sockaddr_in *to = c->kind == K_STREAM && opt.port2 && (c->idx & 1) ? &addr2 : &addr;
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->state = S_CONNECTING;
    ep_set(c, EPOLLOUT, 1);
    return 0;
}

static void in_append(conn *c, const char *p, size_t n)
{
    if (c->inlen + n + 1 > c->incap) {
        size_t cap = c->incap ? c->incap : 1024;
        while (c->inlen + n + 1 > cap) cap *= 2;
        c->in = realloc(c->in, cap);
        if (!c->in) die("realloc");
        c->incap = cap;
    }
    memcpy(c->in + c->inlen, p, n);
    c->inlen += n;
    c->in[c->inlen] = '\0';
}

/* Writes what is pending; 1 when all of it is out, 0 to wait, -1 on error. */
static int flush_out(conn *c)
{
    while (c->outoff < c->outlen) {
        ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
        c->outoff += (size_t)w;
    }
    return 1;
}

/* Parses the status line and headers in c->in (complete, up to hend). */
static void parse_headers(conn *c, size_t hend)
{
    c->in[hend] = '\0';
    c->status = 0;
    if (!strncmp(c->in, "HTTP/1.", 7) && hend > 12) c->status = atoi(c->in + 9);
    c->clen = -1;
    c->chunked = 0;
    c->close_after = !strncmp(c->in, "HTTP/1.0", 8);
    for (char *l = strstr(c->in, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
        char *h = l + 2, *e = strstr(h, "\r\n");
        char save = 0;
        if (e) { save = *e; *e = '\0'; }                 /* one header line at a time */
        if (!strncasecmp(h, "Content-Length:", 15)) c->clen = atoll(h + 15);
        else if (!strncasecmp(h, "Transfer-Encoding:", 18) && strcasestr(h, "chunked")) c->chunked = 1;
        else if (!strncasecmp(h, "Connection:", 11) && strcasestr(h, "close")) c->close_after = 1;
        if (e) *e = save;
    }
}

/* Decodes chunked framing in p[0..n); calls sink with payload bytes. Sets CS_DONE at the end. */
static void dechunk(conn *c, const char *p, size_t n, void (*sink)(conn *, const char *, size_t))
{
    size_t i = 0;
    while (i < n && c->cstate != CS_DONE) {
        char ch = p[i];
        switch (c->cstate) {
        case CS_SIZE:
        case CS_EXT:
            i++;
            if (ch == '\n') {
                if (c->crem == 0) { c->cstate = CS_TRAILER; c->cline_empty = 1; }
                else c->cstate = CS_DATA;
            } else if (c->cstate == CS_SIZE) {
                int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
                        ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
                if (v >= 0) c->crem = c->crem * 16 + v;
                else if (ch != '\r') c->cstate = CS_EXT;
            }
            break;
        case CS_DATA: {
            size_t k = n - i;
            if ((long long)k > c->crem) k = (size_t)c->crem;
            sink(c, p + i, k);
            i += k;
            c->crem -= (long long)k;
            if (c->crem == 0) c->cstate = CS_DATA_END;
            break;
        }
        case CS_DATA_END:
            i++;
            if (ch == '\n') { c->cstate = CS_SIZE; c->crem = 0; }
            break;
        case CS_TRAILER:
            i++;
            if (ch == '\n') {
                if (c->cline_empty) c->cstate = CS_DONE;
                c->cline_empty = 1;
            } else if (ch != '\r') {
                c->cline_empty = 0;
            }
            break;
        }
    }
}

/* ---- streams ------------------------------------------------------------------------------ */

/* One line of a stream: Parley's "data: {…"type":"message.created"…"body":"t=…;s=…"…}", or
 * nchan's bare "data: t=…;s=…". */
static void sse_line(char *line)
{
    if (strncmp(line, "data:", 5)) return;
    char *b;
    if (opt.nchan) b = strncmp(line, "data: t=", 8) ? NULL : line + 8;
    else if (strstr(line, "\"type\":\"message.created\"") && (b = strstr(line, "\"body\":\"t="))) b += 10;
    else b = NULL;
    if (!b) return;
    char *end;
    long long t = strtoll(b, &end, 10);
    int s = -1;
    if (!strncmp(end, ";s=", 3)) s = atoi(end + 3);
    long long now = mono_ns();
    if (s != step || t <= 0) { s_stray++; return; }
    s_deliv++;
    s_last_deliv_ns = now;
    lat_add((now - t) / 1000);
}

static void sse_sink(conn *c, const char *p, size_t n)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (c->inlen + k > (1 << 20)) c->inlen = 0;      /* a runaway line: drop it */
        in_append(c, p, k);
        if (!nl) return;
        if (c->inlen && c->in[c->inlen - 1] == '\r') c->in[--c->inlen] = '\0';
        sse_line(c->in);
        c->inlen = 0;
        p += k + 1;
        n -= k + 1;
    }
}

static void stream_start(int i);

static void stream_failed(conn *c, const char *why)
{
    if (c->state == S_BODY) {
        st_closed++;
        st_open--;
        if (diag_left > 0) { diag_left--; fprintf(stderr, "sseload: stream %d closed: %s\n", c->idx, why); }
    } else {
        st_failed++;
        st_inflight--;
        if (diag_left > 0) {
            diag_left--;
            fprintf(stderr, "sseload: stream %d failed: %s (status %d) %.*s\n", c->idx, why, c->status,
                    (int)c->errlen, c->errbody);
        }
    }
    conn_reset(c);
}

static void stream_start(int i)
{
    conn *c = &streams_c[i];
    c->kind = K_STREAM;
    c->idx = i;
    c->fd = -1;
    conn_reset(c);
    char req[512];
    int port = opt.port2 && (i & 1) ? opt.port2 : opt.port;
    int n = opt.nchan
        ? snprintf(req, sizeof req,
                   "GET /sub/%lld HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                   "User-Agent: sseload\r\n\r\n", users[i].gid, opt.host, port)
        : snprintf(req, sizeof req,
                   "GET /api/v1/events HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                   "Authorization: Bearer %s\r\nUser-Agent: sseload\r\n\r\n", opt.host, port, users[i].tok);
    c->out = strndup(req, (size_t)n);
    c->outlen = (size_t)n;
    st_started++;
    st_inflight++;
    if (!c->out || conn_open(c) != 0) { c->state = S_CONNECTING; stream_failed(c, "connect"); }
}

static void stream_event(conn *c, uint32_t evs)
{
    static char rb[65536];
    if (c->state == S_CONNECTING || c->state == S_WRITING) {
        int err = 0;
        socklen_t el = sizeof err;
        if (c->state == S_CONNECTING) {
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (err) { errno = err; stream_failed(c, strerror(err)); return; }
            c->state = S_WRITING;
        }
        int r = flush_out(c);
        if (r < 0) { stream_failed(c, "write"); return; }
        if (r == 0) return;
        free(c->out);
        c->out = NULL;
        c->state = S_HEADERS;
        ep_set(c, EPOLLIN, 0);
        return;
    }
    (void)evs;
    for (;;) {
        ssize_t n = recv(c->fd, rb, sizeof rb, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            stream_failed(c, strerror(errno));
            return;
        }
        if (n == 0) { stream_failed(c, "end of stream"); return; }
        const char *p = rb;
        size_t len = (size_t)n;
        if (c->state == S_HEADERS) {
            in_append(c, p, len);
            char *he = strstr(c->in, "\r\n\r\n");
            if (!he) {
                if (c->inlen > 65536) stream_failed(c, "huge headers");
                return;
            }
            size_t hend = (size_t)(he - c->in);
            size_t rest = c->inlen - hend - 4;
            parse_headers(c, hend);
            if (c->status != 200) {
                c->errlen = rest < sizeof c->errbody ? rest : sizeof c->errbody;
                memcpy(c->errbody, he + 4, c->errlen);
                stream_failed(c, "status");
                return;
            }
            c->state = S_BODY;
            st_open++;
            st_inflight--;
            /* the bytes after the headers: move them out of c->in, which now holds SSE lines */
            char *tmp = malloc(rest + 1);
            if (!tmp) die("malloc");
            memcpy(tmp, he + 4, rest);
            c->inlen = 0;
            if (c->chunked) dechunk(c, tmp, rest, sse_sink);
            else sse_sink(c, tmp, rest);
            free(tmp);
            continue;
        }
        if (c->chunked) dechunk(c, p, len, sse_sink);
        else sse_sink(c, p, len);
        if (c->chunked && c->cstate == CS_DONE) { stream_failed(c, "last chunk"); return; }
    }
}

/* ---- senders ------------------------------------------------------------------------------ */

static void dispatch(void);

static void sender_connect(conn *c)
{
    conn_reset(c);
    c->reused = 0;
    if (conn_open(c) != 0) {
        s_err++;
        if (diag_left > 0) { diag_left--; fprintf(stderr, "sseload: sender connect: %s\n", strerror(errno)); }
    }
}

static void send_msg(conn *c, long long k)
{
    const group_t *g = &groups[k % ngroups];
    const user_t *u = &users[g->first + (int)((k / ngroups) % g->n)];
    long long due = step_t0 + (long long)((double)k * 1e9 / rate);
    char body[160], req[1024];
    int bl = opt.nchan ? snprintf(body, sizeof body, "t=%lld;s=%d", due, step)
                       : snprintf(body, sizeof body, "{\"body\":\"t=%lld;s=%d\",\"client_id\":\"%08x-0000-4000-8000-%012llx\"}",
                                  due, step, (unsigned)getpid(), (unsigned long long)++cid_counter);
    int n = opt.nchan
        ? snprintf(req, sizeof req,
                   "POST /pub/%lld HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: text/plain\r\n"
                   "Content-Length: %d\r\nUser-Agent: sseload\r\n\r\n%s", g->gid, opt.host, opt.port, bl, body)
        : snprintf(req, sizeof req,
                     "POST /api/v1/conversations/%lld/messages HTTP/1.1\r\nHost: %s:%d\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\nUser-Agent: sseload\r\n\r\n%s",
                     g->gid, opt.host, opt.port, u->tok, bl, body);
    c->out = strndup(req, (size_t)n);
    if (!c->out) die("strndup");
    c->outlen = (size_t)n;
    c->outoff = 0;
    c->inlen = 0;
    c->msg = k;
    c->state = S_WRITING;
    int r = flush_out(c);
    if (r < 0) { c->state = S_HEADERS; return; }     /* the read side reports it */
    if (r == 0) { ep_set(c, EPOLLOUT | EPOLLIN, 0); return; }
    free(c->out);
    c->out = NULL;
    c->state = S_HEADERS;
    ep_set(c, EPOLLIN, 0);
}

static void retry_push(long long k)
{
    if (retry_n == retry_cap) {
        retry_cap = retry_cap ? retry_cap * 2 : 64;
        retry_q = realloc(retry_q, (size_t)retry_cap * sizeof *retry_q);
        if (!retry_q) die("realloc");
    }
    retry_q[retry_n++] = k;
}

static void sender_done(conn *c)
{
    long long now = mono_ns();
    s_last_resp_ns = now;
    if (c->status == 201 || (opt.nchan && c->status == 202)) {   /* nchan: 202 = no subscriber yet */
        s_ok++;
        rlat_add((now - (step_t0 + (long long)((double)c->msg * 1e9 / rate))) / 1000);
        s_expected += groups[c->msg % ngroups].n;
    } else {
        s_err++;
        if (diag_left > 0) {
            diag_left--;
            fprintf(stderr, "sseload: send got status %d: %.*s\n", c->status, (int)c->errlen, c->errbody);
        }
    }
    c->msg = -1;
    c->reused = 1;
    if (c->close_after) { sender_connect(c); return; }
    c->state = S_IDLE;
    c->inlen = 0;
    c->errlen = 0;
    c->cstate = CS_SIZE;
    c->crem = 0;
    ep_set(c, EPOLLIN, 0);
}

static void sender_lost(conn *c, const char *why)
{
    if (c->msg >= 0) {
        if (c->reused && !c->got) { s_retry++; retry_push(c->msg); }     /* a stale keep-alive */
        else {
            s_err++;
            if (diag_left > 0) { diag_left--; fprintf(stderr, "sseload: send failed: %s\n", why); }
        }
        c->msg = -1;
    }
    sender_connect(c);
}

static void body_sink(conn *c, const char *p, size_t n)
{
    if (c->status != 201 && c->status != 202 && c->errlen < sizeof c->errbody) {
        size_t k = sizeof c->errbody - c->errlen;
        if (k > n) k = n;
        memcpy(c->errbody + c->errlen, p, k);
        c->errlen += k;
    }
}

static void sender_event(conn *c, uint32_t evs)
{
    static char rb[65536];
    if (c->state == S_CONNECTING) {
        int err = 0;
        socklen_t el = sizeof err;
        if (!(evs & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;   /* a stale event of the old socket */
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) { sender_lost(c, strerror(err)); return; }
        c->state = S_IDLE;
        ep_set(c, EPOLLIN, 0);
        dispatch();
        return;
    }
    if (c->state == S_WRITING && (evs & EPOLLOUT)) {
        int r = flush_out(c);
        if (r < 0) { sender_lost(c, "write"); return; }
        if (r == 0) return;
        free(c->out);
        c->out = NULL;
        c->state = S_HEADERS;
        ep_set(c, EPOLLIN, 0);
    }
    for (;;) {
        ssize_t n = recv(c->fd, rb, sizeof rb, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            sender_lost(c, strerror(errno));
            return;
        }
        if (n == 0) {
            if (c->state == S_IDLE) sender_connect(c);     /* keep-alive ended while idle */
            else sender_lost(c, "connection closed");
            return;
        }
        if (c->state == S_IDLE) { sender_lost(c, "unexpected bytes"); return; }
        c->got = 1;
        const char *p = rb;
        size_t len = (size_t)n;
        if (c->state == S_HEADERS) {
            in_append(c, p, len);
            char *he = strstr(c->in, "\r\n\r\n");
            if (!he) continue;
            size_t hend = (size_t)(he - c->in);
            size_t rest = c->inlen - hend - 4;
            parse_headers(c, hend);
            c->state = S_BODY;
            c->cstate = CS_SIZE;
            c->crem = 0;
            if (c->chunked) dechunk(c, he + 4, rest, body_sink);
            else {
                body_sink(c, he + 4, rest);
                if (c->clen >= 0) c->clen -= (long long)rest;
            }
        } else if (c->chunked) {
            dechunk(c, p, len, body_sink);
        } else {
            body_sink(c, p, len);
            if (c->clen >= 0) c->clen -= (long long)len;
        }
        int complete = c->chunked ? c->cstate == CS_DONE : c->clen == 0;
        if (complete) {
            c->got = 0;
            sender_done(c);
            dispatch();
            return;
        }
    }
}

/* Starts every due message that has an idle connection. */
static void dispatch(void)
{
    if (phase != PH_SEND && phase != PH_DRAIN) return;
    for (int i = 0; i < opt.senders; i++) {
        conn *c = &send_c[i];
        if (c->state != S_IDLE) continue;
        long long k;
        if (retry_n) k = retry_q[--retry_n];
        else if (step_sched < step_total &&
                 step_t0 + (long long)((double)step_sched * 1e9 / rate) <= mono_ns()) k = step_sched++;
        else return;
        send_msg(c, k);
    }
}

static int senders_busy(void)
{
    for (int i = 0; i < opt.senders; i++)
        if (send_c[i].msg >= 0) return 1;
    return retry_n > 0;
}

/* ---- steps -------------------------------------------------------------------------------- */

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void step_begin(int i)
{
    step = i;
    rate = opt.rates[i];
    step_total = (long long)(rate * opt.seconds + 0.5);
    step_sched = 0;
    s_ok = s_err = s_retry = s_deliv = s_expected = s_stray = 0;
    s_last_resp_ns = s_last_deliv_ns = 0;
    lat_n = rlat_n = 0;
    closed_at_step0 = st_closed;
    step_t0 = mono_ns();
    phase = PH_SEND;
    dispatch();
}

static void step_end(void)
{
    double p50 = 0, p99 = 0, mx = 0;
    if (lat_n) {
        qsort(lat, lat_n, sizeof *lat, cmp_ll);
        p50 = lat[(lat_n - 1) / 2] / 1000.0;
        p99 = lat[(size_t)((double)(lat_n - 1) * 0.99)] / 1000.0;
        mx = lat[lat_n - 1] / 1000.0;
    }
    double r50 = 0, r99 = 0;
    if (rlat_n) {
        qsort(rlat, rlat_n, sizeof *rlat, cmp_ll);
        r50 = rlat[(rlat_n - 1) / 2] / 1000.0;
        r99 = rlat[(size_t)((double)(rlat_n - 1) * 0.99)] / 1000.0;
    }
    double win = opt.seconds;
    if (s_last_deliv_ns && (s_last_deliv_ns - step_t0) / 1e9 > win) win = (s_last_deliv_ns - step_t0) / 1e9;
    double dps = s_deliv / win;
    double sw = opt.seconds;
    if (s_last_resp_ns && (s_last_resp_ns - step_t0) / 1e9 > sw) sw = (s_last_resp_ns - step_t0) / 1e9;
    int closed = st_closed - closed_at_step0;
    int pass = s_err == 0 && closed == 0 && s_deliv == s_expected && s_ok == step_total && lat_n > 0 &&
               p99 <= opt.p99_limit;
    if (opt.warmup && step == 0) {             /* not measured: connections and caches warm up */
        printf("warmup rate=%g sent=%lld ok=%lld errors=%lld deliveries=%lld expected=%lld p50_ms=%.1f p99_ms=%.1f\n",
               rate, step_total, s_ok, s_err, s_deliv, s_expected, p50, p99);
        fflush(stdout);
        step_begin(1);
        return;
    }
    printf("step rate=%g seconds=%d sent=%lld ok=%lld errors=%lld deliveries=%lld expected=%lld "
           "p50_ms=%.1f p99_ms=%.1f max_ms=%.1f deliveries_per_s=%.0f sends_per_s=%.1f closed=%d "
           "send_p50_ms=%.1f send_p99_ms=%.1f pass=%d t0_ns=%lld t1_ns=%lld\n",
           rate, opt.seconds, step_total, s_ok, s_err, s_deliv, s_expected, p50, p99, mx, dps, s_ok / sw, closed,
           r50, r99, pass, step_t0, mono_ns());
    if (s_retry || s_stray) fprintf(stderr, "sseload: step %g: %lld resent on a fresh connection, %lld late deliveries\n",
                                    rate, s_retry, s_stray);
    fflush(stdout);
    if (pass) { best_step = step; best_dps = dps; best_p99 = p99; }
    if (pass && step + 1 < opt.nrates) step_begin(step + 1);
    else phase = PH_END;
}

/* ---- main loop ---------------------------------------------------------------------------- */

static void open_more(void)
{
    while (st_started < st_target && st_inflight < opt.max_inflight) stream_start(st_started);
    if (st_started == st_target && st_inflight == 0) {
        printf("%s streams=%d failed=%d seconds=%.1f\n", st_target == opt.streams ? "open" : "warm", st_open,
               st_failed, (mono_ns() - phase_t0) / 1e9);
        fflush(stdout);
        if (st_target < opt.streams) { phase = PH_HOLD; hold_after_open = 1; return; }
        for (int i = 0; i < opt.senders && opt.nrates; i++) sender_connect(&send_c[i]);
        if (opt.hold) { phase = PH_HOLD; hold_after_open = 2; return; }
        if (opt.nrates) step_begin(0);
        else phase = PH_END;
    }
}

static void resume(void)
{
    if (phase != PH_HOLD) return;
    if (hold_after_open == 1) {
        st_target = opt.streams;
        phase = PH_OPEN;
        phase_t0 = mono_ns();
        open_more();
    } else if (opt.nrates) {
        step_begin(0);
    } else {
        phase = PH_END;
    }
}

static void tick(void)
{
    long long now = mono_ns();
    if (phase == PH_OPEN) {
        open_more();
        if (phase == PH_OPEN && now - phase_t0 > 180 * 1000000000LL) {
            fprintf(stderr, "sseload: streams still not open after 180 s (%d open, %d failed, %d waiting)\n",
                    st_open, st_failed, st_inflight);
            exit(1);
        }
    } else if (phase == PH_SEND) {
        dispatch();
        if (step_sched == step_total) { phase = PH_DRAIN; step_done_sched_ns = now; }
    } else if (phase == PH_DRAIN) {
        dispatch();
        int idle = !senders_busy();
        /* everything answered and delivered, or 5 s for stragglers after the last answer */
        if (idle && (s_deliv >= s_expected || now - (s_last_resp_ns > step_done_sched_ns ? s_last_resp_ns : step_done_sched_ns) > 5000000000LL))
            step_end();
        else if (now - step_done_sched_ns > 60 * 1000000000LL) {
            fprintf(stderr, "sseload: sends still unanswered 60 s after the step\n");
            step_end();
            phase = PH_END;
        }
    }
}

static int parse_rates(const char *s)
{
    opt.nrates = 0;
    while (*s && opt.nrates < 32) {
        char *e;
        double r = strtod(s, &e);
        if (e == s || r <= 0) return -1;
        opt.rates[opt.nrates++] = r;
        s = *e == ',' ? e + 1 : e;
        if (*e && *e != ',') return -1;
    }
    return 0;
}

static void load_tokens(void)
{
    FILE *f = fopen(opt.tokens, "r");
    if (!f) die(opt.tokens);
    int cap = 1024;
    users = malloc((size_t)cap * sizeof *users);
    char line[256];
    while (users && fgets(line, sizeof line, f)) {
        if (nusers == cap) users = realloc(users, (size_t)(cap *= 2) * sizeof *users);
        if (!users) break;
        user_t *u = &users[nusers];
        if (sscanf(line, "%63s %lld %lld", u->tok, &u->uid, &u->gid) == 3) nusers++;
    }
    fclose(f);
    if (!users) die("malloc");
    if (opt.streams > nusers) {
        fprintf(stderr, "sseload: %d streams asked, %s has %d users\n", opt.streams, opt.tokens, nusers);
        exit(2);
    }
    /* The groups all of whose members are among the first opt.streams users. */
    groups = calloc((size_t)opt.streams + 1, sizeof *groups);
    if (!groups) die("calloc");
    for (int i = 0; i < nusers;) {
        int j = i;
        while (j < nusers && users[j].gid == users[i].gid) j++;
        if (j <= opt.streams) groups[ngroups++] = (group_t){users[i].gid, i, j - i};
        i = j;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: sseload --port P [--port2 P2] --tokens FILE --streams N [--warm W] [--hold] [--rates R1,R2,…|--rate R]\n"
                    "               [--seconds S] [--senders C] [--p99-ms MS] [--parallel-opens K] [--warmup R] [--host IPV4] [--nchan]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"port", 1, 0, 'p'}, {"tokens", 1, 0, 't'}, {"streams", 1, 0, 'n'}, {"warm", 1, 0, 'w'},
        {"hold", 0, 0, 'H'}, {"rates", 1, 0, 'r'}, {"rate", 1, 0, 'r'}, {"seconds", 1, 0, 's'},
        {"senders", 1, 0, 'c'}, {"p99-ms", 1, 0, 'l'}, {"parallel-opens", 1, 0, 'k'}, {"host", 1, 0, 'h'},
        {"warmup", 1, 0, 'W'}, {"port2", 1, 0, 'P'}, {"nchan", 0, 0, 'N'}, {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (o) {
        case 'p': opt.port = atoi(optarg); break;
        case 'P': opt.port2 = atoi(optarg); break;
        case 't': opt.tokens = optarg; break;
        case 'n': opt.streams = atoi(optarg); break;
        case 'w': opt.warm = atoi(optarg); break;
        case 'H': opt.hold = 1; break;
        case 'r': if (parse_rates(optarg)) usage(); break;
        case 's': opt.seconds = atoi(optarg); break;
        case 'c': opt.senders = atoi(optarg); break;
        case 'l': opt.p99_limit = atof(optarg); break;
        case 'k': opt.max_inflight = atoi(optarg); break;
        case 'h': opt.host = optarg; break;
        case 'W': opt.warmup = atoi(optarg); break;
        case 'N': opt.nchan = 1; break;
        default: usage();
        }
    }
    if (!opt.port || !opt.tokens || opt.streams <= 0 || opt.seconds <= 0 || opt.senders <= 0 ||
        opt.max_inflight <= 0 || opt.warm < 0 || opt.warm >= opt.streams || opt.warmup < 0)
        usage();
    if (opt.warmup && opt.nrates) {            /* the warm-up is step 0: --warmup R msgs/s */
        memmove(opt.rates + 1, opt.rates, (size_t)opt.nrates * sizeof opt.rates[0]);
        opt.rates[0] = opt.warmup;
        opt.nrates++;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < (rlim_t)opt.streams + (rlim_t)opt.senders + 16) {
            fprintf(stderr, "sseload: %d streams need more descriptors than the limit %llu\n", opt.streams,
                    (unsigned long long)rl.rlim_cur);
            return 1;
        }
    }
    load_tokens();
    if (opt.nrates && ngroups == 0) { fprintf(stderr, "sseload: no complete group among the streams\n"); return 2; }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opt.port);
    if (inet_pton(AF_INET, opt.host, &addr.sin_addr) != 1) usage();
    addr2 = addr;
    addr2.sin_port = htons((uint16_t)opt.port2);

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGUSR1);
    sigaddset(&ss, SIGINT);
    sigaddset(&ss, SIGTERM);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (sfd < 0 || tfd < 0) die("signalfd/timerfd");
    struct itimerspec its = {{0, 1000000}, {0, 1000000}};      /* every millisecond */
    timerfd_settime(tfd, 0, &its, NULL);
    static conn tconn = {.kind = K_TIMER}, sconn = {.kind = K_SIGNAL};
    tconn.fd = tfd;
    sconn.fd = sfd;
    ep_set(&tconn, EPOLLIN, 1);
    ep_set(&sconn, EPOLLIN, 1);

    streams_c = calloc((size_t)opt.streams, sizeof *streams_c);
    send_c = calloc((size_t)opt.senders, sizeof *send_c);
    if (!streams_c || !send_c) die("calloc");
    for (int i = 0; i < opt.senders; i++) {
        send_c[i].kind = K_SEND;
        send_c[i].idx = i;
        send_c[i].fd = -1;
        send_c[i].msg = -1;
        conn_reset(&send_c[i]);
    }
    phase = PH_OPEN;
    phase_t0 = mono_ns();
    st_target = opt.warm ? opt.warm : opt.streams;
    open_more();

    struct epoll_event evs[512];
    while (phase != PH_END) {
        int n = epoll_wait(ep, evs, 512, 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (c->kind == K_TIMER) {
                uint64_t x;
                if (read(tfd, &x, sizeof x) < 0 && errno != EAGAIN) die("timerfd");
                tick();
            } else if (c->kind == K_SIGNAL) {
                struct signalfd_siginfo si;
                while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                    if (si.ssi_signo == SIGUSR1) resume();
                    else { fprintf(stderr, "sseload: signal %u, ending\n", si.ssi_signo); phase = PH_END; }
                }
            } else if (c->fd < 0) {
                continue;                            /* closed earlier in this batch */
            } else if (c->kind == K_STREAM) {
                stream_event(c, evs[i].events);
            } else {
                sender_event(c, evs[i].events);
            }
        }
    }
    if (opt.nrates) {
        if (best_step >= 0)
            printf("result rate=%g deliveries_per_s=%.0f p99_ms=%.1f\n", opt.rates[best_step], best_dps, best_p99);
        else
            printf("result rate=0 deliveries_per_s=0 p99_ms=0\n");
    }
    printf("end streams_open=%d closed=%d\n", st_open, st_closed);
    fflush(stdout);
    return 0;
}
