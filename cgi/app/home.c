/* home.c — handlers: the front page, empty form pages and the health check. */
#include "module.h"
#include "users.h"
#include <string.h>
#include "smallsite.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.1.0"
#endif

static err_t h_home(ctx *c)
{
    c->out = json_pack("{s:s,s:s,s:o}", "name", "Parley", "version", PARLEY_VERSION,
                       "user", c->svc.user ? user_json(c->svc.user) : json_null());
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_health(ctx *c)
{
    int pg = db_run(c->svc.db, "db_ping", 0, NULL) == ERR_OK, small = small_site(c->svc.cfg), rd = small;
    redisReply *r;
    if (!small && (rd = kv_cmd(c->svc.kv, &r, "PING") == ERR_OK)) freeReplyObject(r);
    c->status = pg && rd ? 200 : 503;
    c->out = json_pack("{s:s,s:s,s:s}", "status", pg && rd ? "ok" : "unavailable",
                       "postgres", pg ? "ok" : "down", "redis", small ? "not used" : rd ? "ok" : "down");
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const route home_routes[] = {
    {"GET", "/healthz", h_health, R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"GET", "/", h_home, 0, "home", NULL, NULL, NULL},
};
const module home_module = {"home", MODULE_ROUTES(home_routes), NULL};
