/* events.c — see events.h. Two Redis round trips per event: INCR for the id (it goes into
 * the JSON), then one pipeline of PUBLISHes (in batches, so a huge group does not buffer
 * megabytes in one go). */
#include "events.h"
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdatomic.h>
#include "../core/log.h"

enum { EV_BATCH = 1024,      /* PUBLISHes per pipeline round trip */
       EV_QUIET_S = 3 };     /* after Redis failed, this thread drops events this long */

/* A hung Redis costs one timeout per event: without this, a broadcast to 500 people would
 * wait 500 timeouts. Per thread, because each worker owns its connection. */
static _Thread_local time_t ev_quiet_until;
/* Committed events were dropped (by any thread): the hubs must send every stream a resync
 * before anything is published next, so clients refetch what they missed. */
static atomic_int ev_dropped;

const db_stmt ev_stmts[] = {
    {"ev_members", "SELECT user_id FROM members WHERE conversation_id = $1"},
    {"ev_next_id", "SELECT nextval('event_ids')"},
    {NULL, NULL},
};

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

/* After this thread dropped events: tells every hub to resync all its streams (PUBLISH
 * parley:resync), so no client goes on unaware; 0 once that is said, -1 while Redis still
 * cannot take it (the caller drops this event too, and tries again next time). */
static int ev_announce_drop(svc *c)
{
    if (!atomic_exchange(&ev_dropped, 0)) return 0;     /* another thread said it already */
    redisReply *r;
    err_t e = kv_cmd(c->kv, &r, "PUBLISH parley:resync 1");
    if (e) {
        atomic_store(&ev_dropped, 1);
        if (e == ERR_UNAVAILABLE) ev_quiet_until = time(NULL) + EV_QUIET_S;
        return -1;
    }
    freeReplyObject(r);
    log_warn("events: events were dropped; every stream was told to resync");
    return 0;
}

/* Publishes to uids[0..n) (already filtered); steals event. Failures are logged only. */
static void publish(svc *c, const long long *uids, size_t n, json_t *event)
{
    const char *type = json_string_value(json_object_get(event, "type"));
    if (!type) type = "?";
    if (!n) { json_decref(event); return; }
    if (time(NULL) < ev_quiet_until || (atomic_load(&ev_dropped) && ev_announce_drop(c))) {
        atomic_store(&ev_dropped, 1);
        json_decref(event);
        return;
    }
    PGresult *idr;
    err_t e = db_exec(c->db, "ev_next_id", 0, NULL, &idr);      /* durable: never goes backwards */
    if (e) {
        log_warn("events: %s not published: no event id (database)", type);
        atomic_store(&ev_dropped, 1);
        json_decref(event);
        return;
    }
    long long id = atoll(PQgetvalue(idr, 0, 0));
    PQclear(idr);
    char *s = id > 0 ? ev_encode(id, event) : NULL;
    if (!s) {
        log_warn("events: %s not published: cannot encode it", type);
        json_decref(event);
        return;
    }
    size_t len = strlen(s);
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
    if (e) {
        log_warn("events: %s %lld not published to all of its %zu recipients (redis)", type, id, n);
        atomic_store(&ev_dropped, 1);
    }
    if (e == ERR_UNAVAILABLE) ev_quiet_until = time(NULL) + EV_QUIET_S;
    free(s);
    json_decref(event);
}

void ev_users(svc *c, const long long *uids, size_t n, json_t *event)
{
    if (!event) return;
    long long *list = arena_alloc(c->a, sizeof *list * (n + 1));      /* arena-owned copy */
    if (!list) { json_decref(event); return; }
    if (n) memcpy(list, uids, sizeof *list * n);
    publish(c, list, ev_recipients(list, n, 0, 0), event);
}

void ev_conv(svc *c, long long conv_id, json_t *event, long long extra_uid, long long skip_uid)
{
    if (!event) return;
    const char *p[] = {id_str(c, conv_id)};
    PGresult *r;
    if (db_exec(c->db, "ev_members", 1, p, &r)) {
        const char *type = json_string_value(json_object_get(event, "type"));
        log_warn("events: %s for conversation %lld not published: no members (database)", type ? type : "?", conv_id);
        json_decref(event);
        return;
    }
    size_t n = (size_t)PQntuples(r);
    long long *uids = arena_alloc(c->a, sizeof *uids * (n + 1));      /* arena-owned */
    if (!uids) { PQclear(r); json_decref(event); return; }
    for (size_t i = 0; i < n; i++) uids[i] = atoll(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    publish(c, uids, ev_recipients(uids, n, extra_uid, skip_uid), event);
}

void ev_creds_ended(svc *c, const char *const *creds, size_t n)
{
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
