/* pubsub.c — see pubsub.h. */
#include "pubsub.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hub.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../store/kv.h"
#include "../core/num.h"

int pubsub_channel_uid(const char *channel, long long *uid)
{
    static const char prefix[] = "parley:u:";
    if (strncmp(channel, prefix, sizeof prefix - 1)) return -1;
    const char *p = channel + sizeof prefix - 1;
    return num_parse(p, strlen(p), uid);
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

long long pubsub_event_id(const char *s, size_t n)
{
    static const char prefix[] = "{\"id\":";
    size_t k = sizeof prefix - 1, d = 0;
    if (n <= k || memcmp(s, prefix, k) || memchr(s, '\n', n) || memchr(s, '\r', n)) return -1;
    while (k + d < n && d < 19 && s[k + d] >= '0' && s[k + d] <= '9') d++;
    long long id;
    if (k + d >= n || (s[k + d] != ',' && s[k + d] != '}') || num_parse(s + k, d, &id)) return -1;
    return id > 0 ? id : -1;
}

/* One pmessage: [pmessage, pattern, channel, payload]. The payload is ev_encode's JSON,
 * "id" first: the id is read off its front, not by parsing every event of every user. */
static void handle(redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 4 || strcmp(r->element[0]->str, "pmessage")) return;
    if (!strcmp(r->element[2]->str, "parley:ended")) {   /* a session or token ended: its streams too */
        hub_cred_ended(r->element[3]->str);
        return;
    }
    long long uid, id = pubsub_event_id(r->element[3]->str, r->element[3]->len);
    if (pubsub_channel_uid(r->element[2]->str, &uid)) return;
    if (id > 0) hub_deliver(uid, id, r->element[3]->str);
    else log_warn("events: ignoring a malformed event on %s", r->element[2]->str);
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
        if (latest < 0 || kv_cmd(&k, &r, "PSUBSCRIBE parley:u:* parley:ended") != ERR_OK) {
            kv_close(&k);
            sleep(1);
            continue;
        }
        freeReplyObject(r);                  /* the second confirmation arrives in the loop */
        /* Whatever was published before this subscription (since start, or during an
         * outage) is unknown here: every stream gets a resync and every floor rises. */
        if (!first) log_warn("events: Redis is back; every stream gets a resync");
        hub_resync_all(latest);
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
