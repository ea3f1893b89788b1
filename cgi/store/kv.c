/* kv.c — see kv.h. */
#include "kv.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include "../core/log.h"
#include "../core/metrics.h"
#include <hiredis/sds.h>

void kv_init(kv *k, const char *addr, long timeout_ms)
{
    k->c = NULL;
    k->addr = addr;
    k->timeout_ms = timeout_ms;
}

void kv_close(kv *k)
{
    if (k->c) redisFree(k->c);
    k->c = NULL;
}

/* 1 when the server has closed this idle connection (a Redis restart): the socket reads
 * EOF. Nothing else arrives unasked on a connection between commands. */
static int kv_closed_idle(const kv *k)
{
    struct pollfd p = {.fd = k->c->fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) return 0;
    char b;
    ssize_t n = recv(k->c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

err_t kv_ensure(kv *k)
{
    if (!*k->addr || !strcmp(k->addr, "none")) return ERR_UNAVAILABLE;   /* no Redis: small site */
    /* The idle check only between commands: in the middle of a pipeline (commands queued,
     * not yet sent) a reconnect would drop them silently. */
    if (k->c && !k->c->err && (sdslen(k->c->obuf) > 0 || !kv_closed_idle(k))) return ERR_OK;
    if (k->c && !k->c->err) log_info("redis: the server closed the connection; reconnecting");
    kv_close(k);
    struct timeval tv = {k->timeout_ms / 1000, (k->timeout_ms % 1000) * 1000};
    redisContext *c;
    if (!strncmp(k->addr, "unix:", 5)) {
        c = redisConnectUnixWithTimeout(k->addr + 5, tv);
    } else {
        char host[256];
        const char *colon = strrchr(k->addr, ':');
        int port = colon ? atoi(colon + 1) : 6379;
        size_t hl = colon ? (size_t)(colon - k->addr) : strlen(k->addr);
        if (hl >= sizeof host) hl = sizeof host - 1;
        memcpy(host, k->addr, hl);
        host[hl] = '\0';
        c = redisConnectWithTimeout(host, port, tv);
    }
    if (!c || c->err) {
        log_warn("redis: %s", c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return ERR_UNAVAILABLE;
    }
    redisSetTimeout(c, tv);
    k->c = c;
    return ERR_OK;
}

static err_t kv_check(kv *k, redisReply *r, redisReply **out)
{
    if (!r) {
        log_warn("redis: %s", k->c->errstr[0] ? k->c->errstr : "no reply");
        kv_close(k);
        return ERR_UNAVAILABLE;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        log_error("redis: %s", r->str);
        freeReplyObject(r);
        return ERR_INTERNAL;
    }
    *out = r;
    return ERR_OK;
}

err_t kv_cmd(kv *k, redisReply **out, const char *fmt, ...)
{
    *out = NULL;
    err_t e = kv_ensure(k);
    if (e) return e;
    va_list ap;
    va_start(ap, fmt);
    uint64_t t0 = met_now_us();                  /* /metrics: parley_redis_call_duration_seconds */
    redisReply *r = redisvCommand(k->c, fmt, ap);
    met_observe(&met_kv, met_now_us() - t0);
    va_end(ap);
    return kv_check(k, r, out);
}

err_t kv_append(kv *k, const char *fmt, ...)
{
    err_t e = kv_ensure(k);
    if (e) return e;
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAppendCommand(k->c, fmt, ap);
    va_end(ap);
    return rc == REDIS_OK ? ERR_OK : ERR_INTERNAL;
}

err_t kv_reply(kv *k, redisReply **out)
{
    *out = NULL;
    if (!k->c) return ERR_UNAVAILABLE;
    void *r = NULL;
    if (redisGetReply(k->c, &r) != REDIS_OK) r = NULL;
    return kv_check(k, r, out);
}

err_t kv_replies(kv *k, int n, redisReply **out)
{
    err_t first = ERR_OK;
    for (int i = 0; i < n; i++) {
        err_t e = kv_reply(k, &out[i]);
        if (e && !first) first = e;
        if (e == ERR_UNAVAILABLE) {          /* connection gone: the rest never arrive */
            for (int j = i + 1; j < n; j++) out[j] = NULL;
            break;
        }
    }
    return first;
}

void kv_free_replies(int n, redisReply **r)
{
    for (int i = 0; i < n; i++) if (r[i]) freeReplyObject(r[i]);
}
