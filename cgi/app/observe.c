/* observe.c — GET /metrics: this parley.fcgi's counters in Prometheus's text format, for the
 * addresses PARLEY_METRICS_ALLOW names (everyone else gets the usual 404). Requests per
 * route and status class with their latency, PostgreSQL and Redis call latency (this
 * process), the job queue by kind and state (PostgreSQL), and each events hub's open
 * streams, users and events delivered (what the hubs leave in Redis every few seconds). */
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/metrics.h"
#include "../store/dbgroup.h"
#include "smallsite.h"

const db_stmt observe_stmts[] = {
    {"observe_jobs", "SELECT kind, state, count(*) FROM jobs GROUP BY kind, state ORDER BY kind, state"},
    {NULL, NULL},
};

/* 1 when ip is one of the comma-separated addresses in allow. */
static int observe_allowed(const char *allow, const char *ip)
{
    size_t n = ip ? strlen(ip) : 0;
    for (const char *p = allow; n && *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (len == n && !strncmp(p, ip, n)) return 1;
        p += len;
    }
    return 0;
}

/* "GET /conversations/:id" for route i of the table (in ud), in a static per-thread buffer. */
static const char *observe_route_name(size_t i, void *ud)
{
    static _Thread_local char name[300];
    const route *r = (const route *)ud + i;
    snprintf(name, sizeof name, "%s %s", r->method, r->pattern);
    return name;
}

static err_t observe_jobs(ctx *c, buf *b)
{
    PGresult *r;
    err_t e = db_exec(c->svc.db, "observe_jobs", 0, NULL, &r);
    if (e) return e;
    buf_puts(b, "# HELP parley_jobs Jobs in the queue, by kind and state.\n# TYPE parley_jobs gauge\n");
    for (int i = 0; i < PQntuples(r); i++)
        buf_printf(b, "parley_jobs{kind=\"%s\",state=\"%s\"} %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
    PQclear(r);
    return ERR_OK;
}

/* The hubs' figures: parley:hubstats:<hub> = "streams:users:delivered:slow:deferred" (a
 * hub of an older version writes fewer). */
static err_t observe_hubs(ctx *c, buf *b)
{
    buf_puts(b, "# HELP parley_events_open_streams Open event streams (SSE and long-polls) per hub.\n"
                "# TYPE parley_events_open_streams gauge\n"
                "# HELP parley_events_users People with an open stream per hub.\n# TYPE parley_events_users gauge\n"
                "# HELP parley_events_delivered_total Events written to streams per hub.\n"
                "# TYPE parley_events_delivered_total counter\n"
                "# HELP parley_events_slow_closed_total Streams cut because their reader fell behind, per hub.\n"
                "# TYPE parley_events_slow_closed_total counter\n"
                "# HELP parley_events_conv_deferred_total Conversation events a hub left to its log follower "
                "(sent at another member epoch than its list's), per hub.\n"
                "# TYPE parley_events_conv_deferred_total counter\n");
    if (small_site(c->svc.cfg)) return ERR_OK;          /* no hubs on a small site: headers only */
    char cursor[32] = "0";
    int rounds = 0;
    do {
        redisReply *r;
        err_t e = kv_cmd(c->svc.kv, &r, "SCAN %s MATCH parley:hubstats:* COUNT 100", cursor);
        if (e) return e;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING) {
            freeReplyObject(r);
            return ERR_UNAVAILABLE;
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        for (size_t i = 0; keys->type == REDIS_REPLY_ARRAY && i < keys->elements; i++) {
            const char *key = keys->element[i]->str, *hub = key + strlen("parley:hubstats:");
            redisReply *v;
            if (kv_cmd(c->svc.kv, &v, "GET %s", key)) continue;
            long s, u;
            unsigned long long d, slow = 0, deferred = 0;
            if (v->type == REDIS_REPLY_STRING && sscanf(v->str, "%ld:%ld:%llu:%llu:%llu", &s, &u, &d, &slow, &deferred) >= 3 &&
                strspn(hub, "0123456789abcdef") == strlen(hub))
                buf_printf(b, "parley_events_open_streams{hub=\"%s\"} %ld\nparley_events_users{hub=\"%s\"} %ld\n"
                              "parley_events_delivered_total{hub=\"%s\"} %llu\n"
                              "parley_events_slow_closed_total{hub=\"%s\"} %llu\n"
                              "parley_events_conv_deferred_total{hub=\"%s\"} %llu\n",
                           hub, s, hub, u, hub, d, hub, slow, hub, deferred);
            freeReplyObject(v);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") && ++rounds < 100);
    return ERR_OK;
}

static err_t h_metrics(ctx *c)
{
    if (!observe_allowed(c->svc.cfg->metrics_allow, c->rq.client_ip))
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no page at this address.");
    buf *b = &c->rs->body;
    buf_printf(b, "# HELP parley_build_info The running version.\n# TYPE parley_build_info gauge\n"
                  "parley_build_info{version=\"%s\"} 1\n", PARLEY_VERSION);
    size_t n;
    const route *routes = modules_routes(&n);
    met_write_routes(b, observe_route_name, (void *)routes);
    buf_puts(b, "# HELP parley_postgresql_call_duration_seconds Statements sent to PostgreSQL by this process.\n"
                "# TYPE parley_postgresql_call_duration_seconds histogram\n");
    met_write_hist(b, "parley_postgresql_call_duration_seconds", "", &met_db);
    buf_puts(b, "# HELP parley_redis_call_duration_seconds Commands sent to Redis by this process.\n"
                "# TYPE parley_redis_call_duration_seconds histogram\n");
    met_write_hist(b, "parley_redis_call_duration_seconds", "", &met_kv);
    uint64_t groups, grouped;
    dbgroup_counts(&groups, &grouped);
    buf_printf(b, "# HELP parley_postgresql_groups_total Transactions that committed more than one send at once.\n"
                  "# TYPE parley_postgresql_groups_total counter\nparley_postgresql_groups_total %llu\n"
                  "# HELP parley_postgresql_grouped_statements_total Sends committed in those transactions.\n"
                  "# TYPE parley_postgresql_grouped_statements_total counter\n"
                  "parley_postgresql_grouped_statements_total %llu\n",
               (unsigned long long)groups, (unsigned long long)grouped);
    err_t e = observe_jobs(c, b);
    if (!e) e = observe_hubs(c, b);
    if (e) { buf_reset(b); return e; }
    c->rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    c->raw = 1;
    return b->oom ? ERR_INTERNAL : ERR_OK;
}

static const route observe_routes[] = {
    {"GET", "/metrics", h_metrics, R_JSON_ONLY, NULL, NULL, NULL, NULL},
};
const module observe_module = {"observe", MODULE_ROUTES(observe_routes), observe_stmts};
