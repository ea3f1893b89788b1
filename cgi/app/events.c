/* events.c — see events.h. An event that reports a change is first a row of event_log
 * (INSERT … RETURNING id: one round trip, which also gives its id), then one pipeline of
 * PUBLISHes (in batches, so a huge group does not buffer megabytes in one go). */
#include "events.h"
#include "module.h"
#include "../store/pgarr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdatomic.h>
#include "../core/log.h"
#include "../core/num.h"
#include "smallsite.h"
#include "../core/clock.h"

enum { EV_BATCH = 1024,      /* PUBLISHes per pipeline round trip */
       EV_QUIET_MS = 1000 }; /* after Redis failed, this thread publishes nothing this long */

/* A hung Redis costs one timeout per event: without this, a broadcast to 500 people would
 * wait 500 timeouts. Per thread, because each worker owns its connection. Nothing logged is
 * lost meanwhile: the hubs deliver it from event_log. */
static _Thread_local long long ev_quiet_until;      /* clock_now_ms() */

const db_stmt ev_stmts[] = {
    {"ev_members", "SELECT user_id FROM members WHERE conversation_id = $1"},
    {"ev_next_id", "SELECT nextval('event_ids')"},
    /* An ephemeral event of a conversation: its id, and the member epoch (sql/030) its
     * one PUBLISH names (NULL: the conversation is gone). */
    {"ev_next_id_conv", "SELECT nextval('event_ids'), (SELECT member_epoch FROM conversations WHERE id = $1)"},
    /* The row, and for a conversation's event the member epoch read in the same snapshot:
     * the members the hubs deliver to are those the log names (evlog_one). */
    {"ev_log", "INSERT INTO event_log (id, type, conv_id, uids, extra_uid, skip_uid, body) "
               "VALUES (nextval('event_ids'), $1, $2, $3::bigint[], $4, $5, $6) "
               "RETURNING id, (SELECT c.member_epoch FROM conversations c WHERE c.id = $2)"},
    /* Small site only: wakes the long-polls of longpoll.c (a NOTIFY serialises commits, so
     * never with Redis and the hubs). */
    {"ev_notify", "SELECT pg_notify('parley_events', '')"},
    {NULL, NULL},
};

int ev_ephemeral(const char *type)
{
    return !strcmp(type, "typing") || !strcmp(type, "presence");
}

/* The event's id: a new row of event_log (NULL uids: to conv_id's members), or only a new id
 * for an ephemeral event. 0 when the database cannot give one. *epoch (when not NULL): the
 * conversation's member epoch read with it, -1 when unknown. */
static long long ev_id_for(svc *c, const char *type, json_t *event, long long conv_id, const long long *uids,
                           size_t n, long long extra, long long skip, long long *epoch)
{
    PGresult *r;
    err_t e;
    if (epoch) *epoch = -1;
    if (ev_ephemeral(type)) {
        const char *p[] = {conv_id ? id_str(c, conv_id) : NULL};
        e = conv_id ? db_exec(c->db, "ev_next_id_conv", 1, p, &r) : db_exec(c->db, "ev_next_id", 0, NULL, &r);
    } else {
        char *body = json_dumps(event, JSON_COMPACT);      /* malloc'd; freed below */
        const char *list = uids ? pgarr_ids(c->a, uids, n) : NULL;
        const char *p[] = {type, conv_id ? id_str(c, conv_id) : NULL, list,
                           extra > 0 ? id_str(c, extra) : NULL, skip > 0 ? id_str(c, skip) : NULL, body};
        e = !body || (uids && !list) ? ERR_INTERNAL : db_exec(c->db, "ev_log", 6, p, &r);
        free(body);
    }
    if (e) return 0;
    long long id = atoll(PQgetvalue(r, 0, 0));
    if (epoch && conv_id && PQnfields(r) > 1 && !PQgetisnull(r, 0, 1)) *epoch = atoll(PQgetvalue(r, 0, 1));
    PQclear(r);
    return id;
}

char *ev_encode(long long id, json_t *event)
{
    json_t *o = json_pack("{s:I}", "id", (json_int_t)id);       /* "id" first, then the rest */
    if (!o) return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(event, k, v)
        if (strcmp(k, "id")) json_object_set(o, k, v);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

size_t ev_recipients(long long *uids, size_t n, long long extra, long long skip)
{
    if (n) qsort(uids, n, sizeof *uids, cmp_ll);
    size_t k = 0;
    int have_extra = 0;
    for (size_t i = 0; i < n; i++) {
        if (uids[i] <= 0 || uids[i] == skip || (k && uids[k - 1] == uids[i])) continue;
        if (uids[i] == extra) have_extra = 1;
        uids[k++] = uids[i];
    }
    if (extra > 0 && extra != skip && !have_extra) uids[k++] = extra;
    return k;
}

/* Publishes event under id to uids[0..n) (already filtered); steals event. Failures are
 * logged only: a logged event reaches its recipients through the hubs' reading of the log. */
static void publish(svc *c, const long long *uids, size_t n, json_t *event, long long id)
{
    const char *type = json_string_value(json_object_get(event, "type"));
    if (!type) type = "?";
    /* A small site (no Redis) has no hub: the log is the delivery, and a NOTIFY wakes the
     * long-polls (longpoll.c) of a logged event; nothing is published. */
    if (n && id > 0 && small_site(c->cfg) && !ev_ephemeral(type) && db_run(c->db, "ev_notify", 0, NULL))
        log_warn("events: %s %lld: long-polls not woken (database); they read it at their deadline", type, id);
    if (!n || id <= 0 || clock_now_ms() < ev_quiet_until || small_site(c->cfg)) { json_decref(event); return; }
    char *s = ev_encode(id, event);
    if (!s) {
        log_warn("events: %s not published: cannot encode it", type);
        json_decref(event);
        return;
    }
    size_t len = strlen(s);
    err_t e = ERR_OK;
    redisReply **rep = arena_alloc(c->a, sizeof *rep * (n < EV_BATCH ? n : EV_BATCH));   /* arena-owned */
    for (size_t at = 0; rep && at < n && !e; at += EV_BATCH) {
        int queued = 0;
        for (size_t i = at; i < n && i < at + EV_BATCH; i++) {
            char chan[40];
            snprintf(chan, sizeof chan, "parley:u:%lld", uids[i]);
            if ((e = kv_append(c->kv, "PUBLISH %s %b", chan, s, len))) break;
            queued++;
        }
        err_t f = queued ? kv_replies(c->kv, queued, rep) : ERR_OK;   /* read what was queued, always */
        if (queued) kv_free_replies(queued, rep);
        if (!e) e = f;
    }
    if (!rep) e = ERR_INTERNAL;
    if (e) log_warn("events: %s %lld not published to all of its %zu recipients (redis)%s", type, id, n,
                    ev_ephemeral(type) ? "" : "; the hubs deliver it from the log");
    if (e == ERR_UNAVAILABLE) ev_quiet_until = clock_now_ms() + EV_QUIET_MS;
    free(s);
    json_decref(event);
}

/* The test hook PARLEY_TEST_PUBLISH_DELAY_MS (read once, 0–60000): a wait between a commit
 * and its publication, so that a test can kill the page server in that window. Never set
 * in production. */
static void ev_test_delay(void)
{
    static _Atomic long ms = -1;
    long v = ms;
    if (v < 0) {
        const char *e = getenv("PARLEY_TEST_PUBLISH_DELAY_MS");
        long long x = 0;
        if (e && (num_parse(e, strlen(e), &x) || x > 60000)) x = 0;
        ms = v = (long)x;
    }
    if (v > 0) {
        struct timespec ts = {v / 1000, (v % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

void ev_users(svc *c, const long long *uids, size_t n, json_t *event)
{
    if (!event) return;
    long long *list = arena_alloc(c->a, sizeof *list * (n + 1));      /* arena-owned copy */
    if (!list) { json_decref(event); return; }
    if (n) memcpy(list, uids, sizeof *list * n);
    n = ev_recipients(list, n, 0, 0);
    const char *type = json_string_value(json_object_get(event, "type"));
    long long id = n ? ev_id_for(c, type ? type : "?", event, 0, list, n, 0, 0, NULL) : 0;
    if (n && !id) log_warn("events: %s not published: not logged (database)", type ? type : "?");
    ev_test_delay();
    publish(c, list, n, event, id);
}

/* Publishes event under id once, to the conversation: PUBLISH parley:c:<conv>:<epoch>, or
 * parley:c:<conv>:<epoch>:<skip> to leave one member out (the typist). Each hub delivers it
 * to its own streams of members from a member list read at that epoch
 * (cgi/events/convmap.c), or leaves it to its log follower. Steals event. */
static void conv_publish_once(svc *c, long long conv_id, long long epoch, long long skip_uid, json_t *event, long long id)
{
    char *s = clock_now_ms() < ev_quiet_until ? NULL : ev_encode(id, event);     /* malloc'd */
    err_t e = ERR_OK;
    if (s) {                                 /* else Redis just failed, or no memory: the log has it */
        redisReply *r;
        e = skip_uid > 0 ? kv_cmd(c->kv, &r, "PUBLISH parley:c:%lld:%lld:%lld %s", conv_id, epoch, skip_uid, s)
                         : kv_cmd(c->kv, &r, "PUBLISH parley:c:%lld:%lld %s", conv_id, epoch, s);
        if (!e) freeReplyObject(r);
    }
    if (e) {
        const char *type = json_string_value(json_object_get(event, "type"));      /* the event's own */
        log_warn("events: %s %lld of conversation %lld not published (redis); the hubs deliver it from the log",
                 type ? type : "?", id, conv_id);
    }
    if (e == ERR_UNAVAILABLE) ev_quiet_until = clock_now_ms() + EV_QUIET_MS;
    free(s);
    json_decref(event);
}

/* Publishes event under id (0: a new one) to conv_id's members ± extra/skip. */
static void conv_publish(svc *c, long long conv_id, json_t *event, long long id, long long extra_uid, long long skip_uid)
{
    const char *type = json_string_value(json_object_get(event, "type"));
    if (!type) type = "?";
    long long epoch = -1;
    if (!id && !(id = ev_id_for(c, type, event, conv_id, NULL, 0, extra_uid, skip_uid, &epoch))) {
        log_warn("events: %s for conversation %lld not published: not logged (database)", type, conv_id);
        json_decref(event);
        return;
    }
    ev_test_delay();
    /* A message this request inserted: its statement read the member epoch. */
    if (id == c->sent_event && c->sent_epoch >= 0 && !extra_uid && !skip_uid) epoch = c->sent_epoch;
    /* With the epoch, one PUBLISH reaches every member, and no member list is read here; a
     * removed member (extra_uid) is no longer on the list and is told on their own channel. */
    if (epoch >= 0 && !small_site(c->cfg)) {
        if (extra_uid > 0 && extra_uid != skip_uid) publish(c, &extra_uid, 1, json_incref(event), id);
        conv_publish_once(c, conv_id, epoch, skip_uid, event, id);
        return;
    }
    const char *p[] = {id_str(c, conv_id)};
    PGresult *r;
    if (db_exec(c->db, "ev_members", 1, p, &r)) {
        log_warn("events: %s for conversation %lld not published: no members (database)", type, conv_id);
        json_decref(event);
        return;
    }
    size_t n = (size_t)PQntuples(r);
    long long *uids = arena_alloc(c->a, sizeof *uids * (n + 1));      /* arena-owned */
    if (!uids) { PQclear(r); json_decref(event); return; }
    for (size_t i = 0; i < n; i++) uids[i] = atoll(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    publish(c, uids, ev_recipients(uids, n, extra_uid, skip_uid), event, id);
}

void ev_conv(svc *c, long long conv_id, json_t *event, long long extra_uid, long long skip_uid)
{
    if (event) conv_publish(c, conv_id, event, 0, extra_uid, skip_uid);
}

void ev_conv_logged(svc *c, long long conv_id, json_t *event, long long id)
{
    if (event) conv_publish(c, conv_id, event, id, 0, 0);
}

void ev_creds_ended(svc *c, const char *const *creds, size_t n)
{
    if (small_site(c->cfg)) return;                      /* no hub holds streams on a small site */
    err_t e = ERR_OK;
    size_t queued = 0;
    for (size_t i = 0; i < n && !e; i++)                 /* NULL: the arena ran out; the re-check ends it */
        if (creds[i] && !(e = kv_append(c->kv, "PUBLISH parley:ended %s", creds[i]))) queued++;
    redisReply **r = e || !queued ? NULL : arena_alloc(c->a, sizeof *r * queued);   /* arena-owned */
    if (e || (queued && !r)) kv_close(c->kv);            /* half a pipeline: start afresh */
    else if (queued) {
        e = kv_replies(c->kv, (int)queued, r);
        kv_free_replies((int)queued, r);
    }
    if (e || (queued && !r) || queued < n)
        log_warn("events: the end of %zu credentials not announced (redis); hubs re-check later", n);
}

const module events_module = {"events", NULL, 0, ev_stmts};
