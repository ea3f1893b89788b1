/* longpoll.c — GET /api/v1/events answered by the page server itself on a small site (no
 * Redis, so no events hub; parley.fcgi run as plain CGI on a shared host). The process reads
 * the event log after the cursor (evlog_replay: the hub's replay and resync rules); when
 * there is nothing yet it LISTENs on parley_events, which events.c NOTIFYs after each logged
 * event on a small site, and reads again when woken, for up to LP_WAIT_MAX seconds. SSE is
 * refused there (501): a CGI process is one request, and the page script long-polls then.
 * With Redis this route answers 404: the web server sends /api/v1/events to the hub. */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "evlog.h"
#include "presence.h"
#include "smallsite.h"
#include "../core/clock.h"

enum { LP_WAIT_MAX = 25 };           /* seconds a long-poll waits at most here (a CGI process) */

static const db_stmt lp_stmts[] = {
    {"lp_listen", "LISTEN parley_events"},
    /* The last event id handed out (the cursor of "from now"). */
    {"lp_now", "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM event_ids"},
    {NULL, NULL},
};

/* A number from the query; -1 when absent, -2 when malformed. */
static long long lp_num(ctx *c, const char *name)
{
    const char *v = req_query(&c->rq, name);
    if (!v) return -1;
    char *end;
    long long x = strtoll(v, &end, 10);
    return !*v || *end || x < 0 ? -2 : x;
}

static err_t lp_now(svc *s, long long *out)
{
    PGresult *r;
    err_t e = db_exec(s->db, "lp_now", 0, NULL, &r);
    if (e) return e;
    *out = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return ERR_OK;
}

/* {"events":[…],"cursor":"<id>","after":"<id>"} into c->out. */
static err_t lp_answer(ctx *c, const evlog_event *evs, size_t n, int resync, long long cursor)
{
    json_t *arr = json_array();
    if (resync) json_array_append_new(arr, json_pack("{s:s}", "type", "resync"));
    for (size_t i = 0; !resync && i < n; i++) {
        json_t *ev = json_loads(evs[i].json, 0, NULL);
        if (ev) json_array_append_new(arr, ev);
    }
    const char *at = arena_printf(c->svc.a, "%lld", cursor);
    if (!at) { json_decref(arr); return ERR_INTERNAL; }
    c->out = json_pack("{s:o,s:s,s:s}", "events", arr, "cursor", at, "after", at);   /* arr: stolen */
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_events(ctx *c)
{
    svc *s = &c->svc;
    if (!small_site(s->cfg))
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "The events hub serves /api/v1/events.");
    err_t e = auth_gate(s->user);                        /* nothing streams to a gated account */
    if (e) return e;
    if (c->rq.accept && strstr(c->rq.accept, "text/event-stream"))
        return ctx_fail(c, ERR_NOT_IMPLEMENTED, NULL,
                        "This server has no event stream; long-poll GET /api/v1/events?cursor=<id> instead.");
    /* `after` (the hub's arrival order) is the cursor here: events arrive in the log's order. */
    long long cursor = lp_num(c, "after"), timeout = lp_num(c, "timeout");
    if (cursor == -2) return ctx_fail(c, ERR_INVALID_FIELD, "after", "after must be an event id.");
    if (cursor == -1) cursor = lp_num(c, "cursor");
    if (cursor == -1) cursor = lp_num(c, "last_event_id");
    if (cursor == -2) return ctx_fail(c, ERR_INVALID_FIELD, "cursor", "cursor must be an event id.");
    if (timeout == -1) timeout = 30;
    if (timeout < 1 || timeout > 60) return ctx_fail(c, ERR_INVALID_FIELD, "timeout", "timeout must be 1 to 60 seconds.");
    presence_change(s, NULL, s->user->id, PRES_JOIN);    /* polling is being here, like a stream */
    /* LISTEN before the first read: an event committed in between still wakes us. */
    if ((e = db_run(s->db, "lp_listen", 0, NULL))) return e;
    long long now;
    if ((e = lp_now(s, &now))) return e;
    if (cursor > now) return lp_answer(c, NULL, 0, 1, now);   /* from the future: resync, like the hub */
    if (cursor == -1) cursor = now;                      /* no cursor: from now on */
    long long deadline = clock_now_ms() + (timeout < LP_WAIT_MAX ? timeout : LP_WAIT_MAX) * 1000;
    for (;;) {
        evlog_event *evs = NULL;
        size_t n = 0;
        int resync = 0;
        if ((e = evlog_replay(s, s->user->id, cursor, NULL, 0, &evs, &n, &resync))) return e;
        if (resync) {
            if ((e = lp_now(s, &now))) return e;
            return lp_answer(c, NULL, 0, 1, now);
        }
        if (n) return lp_answer(c, evs, n, 0, evs[n - 1].id);
        long long left = deadline - clock_now_ms();
        if (left <= 0) return lp_answer(c, NULL, 0, 0, cursor);
        int w = db_wait_notify(s->db, left, -1);
        if (w < 0) return ERR_UNAVAILABLE;               /* the connection went away */
    }
}

/* ---- routes (module.h) ---- */

static const route lp_routes[] = {
    {"GET", "/events", h_events, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
};
const module longpoll_module = {"longpoll", MODULE_ROUTES(lp_routes), lp_stmts};
