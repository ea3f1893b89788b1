/* pubsub.c — see pubsub.h. */
#include "pubsub.h"
#include <stdlib.h>
#include <string.h>
#include "hub.h"
#include "convmap.h"
#include "follow.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../store/db.h"
#include "../store/kv.h"
#include "../store/kvsub.h"
#include "../core/num.h"
#include "../core/clock.h"

int pubsub_channel_uid(const char *channel, long long *uid)
{
    static const char prefix[] = "parley:u:";
    if (strncmp(channel, prefix, sizeof prefix - 1)) return -1;
    const char *p = channel + sizeof prefix - 1;
    return num_parse(p, strlen(p), uid);
}

const db_stmt pubsub_stmts[] = {
    {"ev_latest", "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM event_ids"},
    /* An upgrade from ids counted in Redis: never hand out an id at or below the old counter. */
    {"ev_raise", "SELECT setval('event_ids', GREATEST($1::bigint, (SELECT last_value FROM event_ids)))"},
    {NULL, NULL},
};

long long pubsub_latest(db *d)
{
    PGresult *r;
    if (db_exec(d, "ev_latest", 0, NULL, &r)) return -1;
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

void pubsub_raise(db *d, const char *redis_addr, long timeout_ms)
{
    kv k;
    kv_init(&k, redis_addr, timeout_ms);
    redisReply *r;
    if (kv_cmd(&k, &r, "GET parley:evseq") == ERR_OK) {
        if (r->type == REDIS_REPLY_STRING) {
            const char *p[] = {r->str};
            if (db_run(d, "ev_raise", 1, p) == ERR_OK) log_info("events: ids continue after %s (the old Redis counter)", r->str);
        }
        freeReplyObject(r);
    }
    kv_close(&k);
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
 * "id" first: the id is read off its front, not by parsing every event of every user. A
 * conversation's event (parley:c:…) goes to convmap, which may read members through d. */
static void handle(redisReply *r, db *d)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 4 || strcmp(r->element[0]->str, "pmessage")) return;
    if (!strcmp(r->element[2]->str, "parley:ended")) {   /* a session or token ended: its streams too */
        hub_cred_ended(r->element[3]->str);
        return;
    }
    long long uid, conv, epoch, skip, id = pubsub_event_id(r->element[3]->str, r->element[3]->len);
    if (!convmap_channel(r->element[2]->str, &conv, &epoch, &skip)) {
        /* Not seen when left to the follower: it delivers from the log after FOLLOW_REPAIR_MS. */
        if (id > 0 && convmap_deliver(d, conv, epoch, skip, id, r->element[3]->str)) follow_seen(id, clock_now_ms());
        else if (id <= 0) log_warn("events: ignoring a malformed event on %s", r->element[2]->str);
        return;
    }
    if (pubsub_channel_uid(r->element[2]->str, &uid)) return;
    if (id > 0) {
        follow_seen(id, clock_now_ms());
        hub_deliver(uid, id, r->element[3]->str);
    }
    else log_warn("events: ignoring a malformed event on %s", r->element[2]->str);
}

static void sub_up(void *arg, int again)
{
    (void)arg;
    /* What was published while this hub was not subscribed (at start, during an outage)
     * is in event_log: the follower delivers it. No resync. */
    if (again) log_info("events: Redis is back; what it missed comes from the log");
}

static void sub_message(redisReply *m, void *arg) { handle(m, arg); }

static void sub_lost(void *arg, const char *why)
{
    (void)arg;
    log_warn("events: lost Redis (%s); reconnecting", why);
}

void *pubsub_main(void *arg)
{
    const config *cfg = arg;
    static const kvsub_calls calls = {sub_up, sub_message, sub_lost};
    db d;                                    /* member lists for convmap: this thread's own */
    db_init(&d, cfg->db, cfg->backend_timeout_ms, (const db_stmt *const[]){convmap_stmts, NULL});
    kvsub_run(cfg->redis, cfg->backend_timeout_ms, "PSUBSCRIBE parley:u:* parley:c:* parley:ended", &calls, &d);
    return NULL;
}
