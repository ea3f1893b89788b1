/* kvsub.c — see kvsub.h. */
#include "kvsub.h"
#include "../core/clock.h"
#include <errno.h>
#include <poll.h>
#include <unistd.h>

/* Makes k's connection (subscribed) wait with kvsub_next's own deadline, with TCP keepalive
 * where it is TCP. */
static void kvsub_prepare(kv *k)
{
    struct timeval none = {0, 0};                        /* kvsub_next polls with its own deadline */
    redisSetTimeout(k->c, none);
    if (k->c->connection_type == REDIS_CONN_TCP) redisEnableKeepAlive(k->c);   /* not for unix sockets */
}

/* Why the connection was lost, by hiredis. */
static const char *lost(kv *k) { return k->c->errstr[0] ? k->c->errstr : "connection lost"; }

/* Waits for the next message on k: NULL with *out the reply (freeReplyObject), or, when the
 * connection is lost, why (a static string or k's own) with *out NULL. *heard_ms is when
 * Redis last said anything. */
static const char *kvsub_next(kv *k, redisReply **out, long long *heard_ms)
{
    *out = NULL;
    for (;;) {
        void *reply = NULL;
        if (redisGetReplyFromReader(k->c, &reply) != REDIS_OK) return lost(k);
        if (reply) { *out = reply; *heard_ms = clock_now_ms(); return NULL; }
        struct pollfd p = {.fd = k->c->fd, .events = POLLIN};
        int rc = poll(&p, 1, KVSUB_PING_MS);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return "poll failed";
        if (rc == 0) {
            if (clock_now_ms() - *heard_ms > KVSUB_DEAD_MS) return "Redis stopped answering";
            int done = 0;                                 /* a PING in subscribed mode: ["pong", ""] */
            if (redisAppendCommand(k->c, "PING") != REDIS_OK) return lost(k);
            while (!done) if (redisBufferWrite(k->c, &done) != REDIS_OK) return lost(k);
            continue;
        }
        if (redisBufferRead(k->c) != REDIS_OK) return lost(k);
    }
}

void kvsub_run(const char *addr, long timeout_ms, const char *subscribe, const kvsub_calls *calls, void *arg)
{
    int again = 0;
    for (;;) {
        kv k;
        kv_init(&k, addr, timeout_ms);
        redisReply *r = NULL;
        if (kv_cmd(&k, &r, subscribe) != ERR_OK) {
            kv_close(&k);
            sleep(1);
            continue;
        }
        freeReplyObject(r);                  /* every channel stands; the other confirmations come as messages */
        calls->up(arg, again);
        again = 1;
        kvsub_prepare(&k);
        long long heard = clock_now_ms();
        const char *why;
        for (;;) {
            redisReply *m;
            if ((why = kvsub_next(&k, &m, &heard))) break;
            calls->message(m, arg);
            freeReplyObject(m);
        }
        calls->lost(arg, why);
        kv_close(&k);
        sleep(1);
    }
}
