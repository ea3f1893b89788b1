/* pubsub.c — see pubsub.h. */
#include "pubsub.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "hub.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../store/kv.h"

int pubsub_channel_uid(const char *channel, long long *uid)
{
    static const char prefix[] = "parley:u:";
    if (strncmp(channel, prefix, sizeof prefix - 1)) return -1;
    const char *p = channel + sizeof prefix - 1;
    size_t n = strlen(p);
    if (n == 0 || n > 18 || strspn(p, "0123456789") != n) return -1;
    *uid = atoll(p);
    return 0;
}

long long pubsub_latest(const char *addr, long timeout_ms)
{
    kv k;
    kv_init(&k, addr, timeout_ms);
    redisReply *r;
    long long v = -1;
    if (kv_cmd(&k, &r, "GET parley:evseq") == ERR_OK) {
        v = r->type == REDIS_REPLY_STRING ? atoll(r->str) : 0;
        freeReplyObject(r);
    }
    kv_close(&k);
    return v;
}

/* One pmessage: [pmessage, pattern, channel, payload]. */
static void handle(redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 4 || strcmp(r->element[0]->str, "pmessage")) return;
    long long uid;
    if (pubsub_channel_uid(r->element[2]->str, &uid)) return;
    json_error_t je;
    json_t *ev = json_loadb(r->element[3]->str, r->element[3]->len, 0, &je);
    json_t *id = ev ? json_object_get(ev, "id") : NULL;
    if (json_is_integer(id) && json_integer_value(id) > 0)
        hub_deliver(uid, json_integer_value(id), r->element[3]->str);
    else
        log_warn("events: ignoring a malformed event on %s", r->element[2]->str);
    json_decref(ev);
}

void *pubsub_main(void *arg)
{
    const config *cfg = arg;
    int first = 1;
    for (;;) {
        long long latest = pubsub_latest(cfg->redis, cfg->backend_timeout_ms);
        kv k;
        kv_init(&k, cfg->redis, cfg->backend_timeout_ms);
        redisReply *r = NULL;
        if (latest < 0 || kv_cmd(&k, &r, "PSUBSCRIBE parley:u:*") != ERR_OK) {
            kv_close(&k);
            sleep(1);
            continue;
        }
        freeReplyObject(r);
        if (first) hub_init(latest);
        else {
            log_warn("events: Redis is back; every stream gets a resync");
            hub_resync_all(latest);
        }
        first = 0;
        /* Block for messages: no read timeout here; TCP keepalive notices a dead peer. */
        struct timeval none = {0, 0};
        redisSetTimeout(k.c, none);
        if (k.c->connection_type == REDIS_CONN_TCP) redisEnableKeepAlive(k.c);   /* not for unix sockets */
        for (;;) {
            void *reply = NULL;
            if (redisGetReply(k.c, &reply) != REDIS_OK || !reply) break;
            handle(reply);
            freeReplyObject(reply);
        }
        log_warn("events: lost Redis (%s); reconnecting", k.c->errstr);
        kv_close(&k);
        sleep(1);
    }
    return NULL;
}
