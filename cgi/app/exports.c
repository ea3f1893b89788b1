/* exports.c — handlers and domain of a person's data exports; see exports.h. */
#include "module.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exports.h"
#include "media.h"
#include "people.h"
#include "ratelimit.h"
#include "../core/log.h"
#include "../worker/jobs.h"

#define EXPORTS_STR2(x) #x
#define EXPORTS_STR(x) EXPORTS_STR2(x)
#define EXPORTS_COLS "id, status, size, " DB_TS("created_at") ", " DB_TS("finished_at") ", " DB_TS("expires_at") \
                     ", expires_at < now(), error"
enum { XC_ID, XC_STATUS, XC_SIZE, XC_CREATED, XC_FINISHED, XC_EXPIRES, XC_EXPIRED, XC_ERROR };

const db_stmt exports_stmts[] = {
    /* An export whose job failed for good is failed too (its last error says why). */
    {"exports_settle", "UPDATE exports e SET status = 'failed', finished_at = now(), "
                       "error = COALESCE(e.error, 'The export could not be built.') WHERE e.user_id = $1 "
                       "AND e.status = 'pending' AND EXISTS (SELECT 1 FROM jobs j WHERE j.idem_key = 'export.build:' || e.id "
                       "AND j.state = 'failed')"},
    {"exports_insert", "INSERT INTO exports (user_id) VALUES ($1) ON CONFLICT (user_id) WHERE status = 'pending' "
                       "DO NOTHING RETURNING " EXPORTS_COLS},
    {"exports_list", "SELECT " EXPORTS_COLS " FROM exports WHERE user_id = $1 ORDER BY id DESC LIMIT 20"},
    {"exports_one", "SELECT " EXPORTS_COLS " FROM exports WHERE id = $1 AND user_id = $2"},
    {"exports_delete_all", "DELETE FROM exports WHERE user_id = $1 RETURNING id"},
    {NULL, NULL},
};

void exports_path(const char *media_dir, long long id, char out[STORE_PATH_MAX])
{
    if (media_dir) snprintf(out, STORE_PATH_MAX, "%s/exports/%lld.zip", media_dir, id);
    else snprintf(out, STORE_PATH_MAX, "exports/%lld.zip", id);
}

void exports_job_key(long long id, char *out, size_t outlen)
{
    snprintf(out, outlen, "export.build:%lld", id);
}

/* Row i as the API's export: a download_url only while it can be downloaded. */
static json_t *exports_json(PGresult *r, int i)
{
#define V(k) PQgetvalue(r, i, k)
#define S(k) (PQgetisnull(r, i, k) ? json_null() : json_string(V(k)))
    long long id = atoll(V(XC_ID));
    int ready = !strcmp(V(XC_STATUS), "ready"), expired = V(XC_EXPIRED)[0] == 't';
    json_t *o = json_pack("{s:I,s:s,s:o,s:s,s:o,s:o,s:b,s:o}", "id", (json_int_t)id, "status", V(XC_STATUS),
                          "size", PQgetisnull(r, i, XC_SIZE) ? json_null() : json_integer(atoll(V(XC_SIZE))),
                          "created_at", V(XC_CREATED), "finished_at", S(XC_FINISHED), "expires_at", S(XC_EXPIRES),
                          "expired", expired, "error", S(XC_ERROR));
    if (o) json_object_set_new(o, "download_url", ready && !expired
                               ? json_sprintf("/api/v1/me/exports/%lld/download", id) : json_null());
    return o;
#undef V
#undef S
}

/* POST /me/export: 202 with the pending export; the worker builds it. */
static err_t h_export_request(ctx *c)
{
    svc *s = &c->svc;
    static const rate_rule per_day = {EXPORTS_PER_DAY, 86400};
    const char *key = arena_printf(s->a, "export:u:%lld", s->user->id);
    err_t e = rl_take(s, key, &per_day);
    if (e == ERR_RATE_LIMITED)
        return ctx_fail(c, e, NULL, "You have asked for " EXPORTS_STR(EXPORTS_PER_DAY) " exports today. Try again tomorrow.");
    if (e) return e;
    const char *p[] = {id_str(s, s->user->id)};
    PGresult *r;
    if ((e = db_run(s->db, "exports_settle", 1, p))) { rl_give(s, key); return e; }
    if ((e = db_begin(s->db))) { rl_give(s, key); return e; }
    if ((e = db_exec(s->db, "exports_insert", 1, p, &r))) goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback(s->db);
        rl_give(s, key);                                /* refused: it does not count */
        return ctx_fail(c, ERR_CONFLICT, NULL, "An export of your data is already being prepared. "
                                               "Wait for it to be ready before asking for another.");
    }
    json_t *x = exports_json(r, 0);
    long long id = atoll(PQgetvalue(r, 0, XC_ID));
    PQclear(r);
    char jkey[64], payload[64];
    exports_job_key(id, jkey, sizeof jkey);
    snprintf(payload, sizeof payload, "{\"export_id\":%lld}", id);
    long long job_id;
    if ((e = jobs_enqueue(s->db, "export.build", payload, jkey, EXPORTS_ATTEMPTS, &job_id))) { json_decref(x); goto fail; }
    if ((e = db_commit(s->db))) { json_decref(x); goto fail; }
    c->out = json_pack("{s:o}", "export", x);
    c->status = 202;
    if (!c->rq.is_api) c->redirect = "/me/exports?done=requested";
    return c->out ? ERR_OK : ERR_INTERNAL;
fail:
    db_rollback(s->db);
    rl_give(s, key);
    return e;
}

/* GET /me/exports: the newest 20, newest first. */
static err_t h_exports_list(ctx *c)
{
    svc *s = &c->svc;
    const char *p[] = {id_str(s, s->user->id)};
    PGresult *r;
    err_t e = db_run(s->db, "exports_settle", 1, p);
    if (e || (e = db_exec(s->db, "exports_list", 1, p, &r))) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) json_array_append_new(arr, exports_json(r, i));
    PQclear(r);
    c->out = json_pack("{s:o,s:i}", "exports", arr, "keep_days", EXPORTS_KEEP_DAYS);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /me/exports/<id>/download: the owner's ready export, for EXPORTS_KEEP_DAYS. */
static err_t h_export_download(ctx *c)
{
    svc *s = &c->svc;
    long long id;
    err_t e = param_id(c, "id", &id);
    if (e) return e;
    const char *p[] = {id_str(s, id), id_str(s, s->user->id)};
    PGresult *r;
    if ((e = db_exec(s->db, "exports_one", 2, p, &r))) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such export."); }
    char status[16];
    snprintf(status, sizeof status, "%s", PQgetvalue(r, 0, XC_STATUS));
    int expired = PQgetvalue(r, 0, XC_EXPIRED)[0] == 't';
    long long size = PQgetisnull(r, 0, XC_SIZE) ? 0 : atoll(PQgetvalue(r, 0, XC_SIZE));
    const char *day = arena_strndup(s->a, PQgetvalue(r, 0, XC_CREATED), 10);
    PQclear(r);
    if (!strcmp(status, "pending"))
        return ctx_fail(c, ERR_CONFLICT, NULL, "This export is still being prepared. You will be told when it is ready.");
    if (!strcmp(status, "failed"))
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "This export could not be built. Ask for a new one.");
    if (expired)
        return ctx_fail(c, ERR_GONE, NULL, "This export has expired: downloads are kept for "
                                           EXPORTS_STR(EXPORTS_KEEP_DAYS) " days. Ask for a new one.");
    char path[STORE_PATH_MAX], rel[STORE_PATH_MAX];
    exports_path(s->cfg->media_dir, id, path);
    exports_path(NULL, id, rel);
    /* The username is a-z 0-9 _ . - only: safe in the header as it is. */
    const char *name = arena_printf(s->a, "parley-export-%s-%s.zip", s->user->username, day ? day : "");
    return media_send(c, path, rel, size, "application/zip", arena_printf(s->a, "export-%lld-%lld", id, size),
                      arena_printf(s->a, "attachment; filename=\"%s\"", name));
}

err_t exports_delete_all(svc *c, long long uid)
{
    const char *p[] = {id_str(c, uid)};
    PGresult *r;
    err_t e = db_exec(c->db, "exports_delete_all", 1, p, &r);
    if (e) return e;
    for (int i = 0; i < PQntuples(r); i++) {
        char path[STORE_PATH_MAX];
        exports_path(c->cfg->media_dir, atoll(PQgetvalue(r, i, 0)), path);
        if (unlink(path) && errno != ENOENT) log_warn("exports: cannot delete %s: %s", path, strerror(errno));
    }
    PQclear(r);
    return ERR_OK;
}

/* ---- routes (module.h) ---- */

static const route exports_routes[] = {
    {"POST", "/me/export", h_export_request, R_AUTH, "exports", NULL, h_exports_list, NULL},
    {"GET", "/me/exports", h_exports_list, R_AUTH, "exports", NULL, NULL, NULL},
    {"GET", "/me/exports/:id/download", h_export_download, R_AUTH, "exports", NULL, h_exports_list, NULL},
};
const module exports_module = {"exports", MODULE_ROUTES(exports_routes), exports_stmts};
