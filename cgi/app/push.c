/* push.c — routes: the VAPID public key (GET /push/key), a person's push subscriptions
 * (POST/GET /push/subscriptions, DELETE /push/subscriptions/<id> and its form twin), and
 * the read notice (a message's push job is queued by msg_insert itself, send_jobs.h). Who owns what: strings in the request's arena;
 * PGresults cleared where they are read. */
#include "push.h"
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "digest.h"
#include "notify.h"
#include "people.h"
#include "sessions.h"
#include "../core/log.h"
#include "../core/pushsub.h"
#include "../worker/jobs.h"

#define PUSH_COLS "id, endpoint, device, " DB_TS("created_at") ", " DB_TS("last_success_at") ", last_error"

const db_stmt push_stmts[] = {
    /* The same endpoint again updates it (its keys may be new), and moves it to the caller:
     * a browser profile has one endpoint, and whoever subscribed it last is who it is for.
     * A new one only while the account has fewer than $6. */
    {"push_upsert", "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, device) "
                    "SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM push_subscriptions WHERE endpoint = $2 AND user_id = $1) "
                    "OR (SELECT count(*) FROM push_subscriptions WHERE user_id = $1) < $6::int "
                    "ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, "
                    "auth = EXCLUDED.auth, device = EXCLUDED.device, last_error = NULL, last_error_at = NULL "
                    "RETURNING " PUSH_COLS ", xmax = 0"},
    {"push_list", "SELECT " PUSH_COLS " FROM push_subscriptions WHERE user_id = $1 ORDER BY id DESC"},
    {"push_delete", "DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2 RETURNING device"},
    /* Whether a device of $1 was pushed a message of $2 up to $3 not yet cleared. */
    {"push_read_any", "SELECT EXISTS (SELECT 1 FROM push_subscriptions s JOIN push_sent p ON p.subscription_id = s.id "
                      "WHERE s.user_id = $1 AND p.conversation_id = $2 AND p.seq <= $3 AND p.cleared_at IS NULL)"},
    {NULL, NULL},
};

int push_enabled(const config *cfg) { return cfg->vapid_public && *cfg->vapid_public; }

static json_t *push_row(PGresult *r, int i)
{
    /* The endpoint is a secret capability: only its host is shown. */
    const char *ep = PQgetvalue(r, i, 1), *host = strstr(ep, "://");
    host = host ? host + 3 : ep;
    size_t hl = strcspn(host, "/?");
    return json_pack("{s:I,s:s,s:s%,s:s,s:o,s:o}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                     "device", *PQgetvalue(r, i, 2) ? PQgetvalue(r, i, 2) : "Unknown browser", "service", host, hl,
                     "created_at", PQgetvalue(r, i, 3),
                     "last_success_at", PQgetisnull(r, i, 4) ? json_null() : json_string(PQgetvalue(r, i, 4)),
                     "last_error", PQgetisnull(r, i, 5) ? json_null() : json_string(PQgetvalue(r, i, 5)));
}

/* GET /push/key: what the page subscribes with; null when this server sends no push. */
static err_t h_push_key(ctx *c)
{
    const config *cfg = c->svc.cfg;
    c->out = json_pack("{s:b,s:o}", "enabled", push_enabled(cfg),
                       "public_key", push_enabled(cfg) ? json_string(cfg->vapid_public) : json_null());
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /push/subscriptions (and the page): the caller's devices, and their notification
 * preferences for the page's form. */
err_t push_page(ctx *c)
{
    const char *p[] = {id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "push_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) json_array_append_new(arr, push_row(r, i));
    PQclear(r);
    const config *cfg = c->svc.cfg;
    json_t *prefs = NULL;
    if (arr && (e = notify_prefs_json(&c->svc, &prefs))) { json_decref(arr); return e; }
    c->out = arr ? json_pack("{s:o,s:b,s:o,s:o}", "subscriptions", arr, "enabled", push_enabled(cfg), "public_key",
                             push_enabled(cfg) ? json_string(cfg->vapid_public) : json_null(), "preferences", prefs)
                 : NULL;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /push/subscriptions {"endpoint","keys":{"p256dh","auth"}} → 201 (new) or 200 (the
 * same endpoint again: updated). */
static err_t h_push_subscribe(ctx *c)
{
    svc *s = &c->svc;
    if (!push_enabled(s->cfg))
        return ctx_fail(c, ERR_NOT_IMPLEMENTED, NULL, "This server does not send push notifications: its administrator "
                                                      "has not set them up (parley push keys).");
    pushsub sub;
    const char *field, *why;
    if (pushsub_parse(s->cfg->outbound_allow, c->in, &sub, &field, &why)) return ctx_fail(c, ERR_INVALID_FIELD, field, why);
    char key_hex[2 * WEBPUSH_KEY_LEN + 3] = "\\x", auth_hex[2 * WEBPUSH_AUTH_LEN + 3] = "\\x";
    sodium_bin2hex(key_hex + 2, sizeof key_hex - 2, sub.p256dh, sizeof sub.p256dh);
    sodium_bin2hex(auth_hex + 2, sizeof auth_hex - 2, sub.auth, sizeof sub.auth);
    const char *device = sess_browser(s->a, c->rq.user_agent);
    if (!device) device = "";
    size_t dl = strlen(device);
    if (dl > 64) device = arena_strndup(s->a, device, 60);      /* the column's limit; labels are ASCII */
    const char *p[] = {id_str(s, s->user->id), sub.endpoint, key_hex, auth_hex, device ? device : "",
                       id_str(s, PUSH_MAX_PER_USER)};
    PGresult *r;
    err_t e = db_exec(s->db, "push_upsert", 6, p, &r);
    if (e) return e;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return ctx_fail(c, ERR_CONFLICT, NULL, arena_printf(s->a, "You have notifications on for %d devices, the most an "
                        "account may have. Remove one on your notifications page first.", PUSH_MAX_PER_USER));
    }
    int inserted = PQgetvalue(r, 0, 6)[0] == 't';
    c->out = json_pack("{s:o}", "subscription", push_row(r, 0));
    PQclear(r);
    if (inserted) audit_record(s, "push.subscribe", s->user->id, s->user->id, c->rq.client_ip,
                               json_pack("{s:s}", "device", device ? device : ""));
    c->status = inserted ? 201 : 200;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* DELETE /push/subscriptions/<id> (or POST …/delete): someone else's is not found. */
static err_t h_push_delete(ctx *c)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, id), id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "push_delete", 2, p, &r))) return e;
    int found = PQntuples(r) == 1;
    if (found) audit_record(&c->svc, "push.unsubscribe", c->svc.user->id, c->svc.user->id, c->rq.client_ip,
                            json_pack("{s:s}", "device", PQgetvalue(r, 0, 0)));
    PQclear(r);
    if (!found) return ctx_fail(c, ERR_NOT_FOUND, NULL, "You have no such device with notifications on.");
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/push/subscriptions?done=removed";
    return ERR_OK;
}

void notify_read_queued(svc *c, const conv *cv, long long read_seq)
{
    if (!push_enabled(c->cfg)) return;
    const char *p[] = {id_str(c, c->user->id), id_str(c, cv->id), id_str(c, read_seq)};
    PGresult *r;
    if (db_exec(c->db, "push_read_any", 3, p, &r)) { log_warn("push: read notice for conversation %lld: not queued", cv->id); return; }
    int any = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!any) return;
    char payload[128], key[80];
    snprintf(payload, sizeof payload, "{\"user_id\":%lld,\"conversation_id\":%lld,\"seq\":%lld}", c->user->id, cv->id,
             read_seq);
    snprintf(key, sizeof key, "push-read:%lld:%lld:%lld", c->user->id, cv->id, read_seq);
    long long id = 0;
    if (jobs_enqueue(c->db, "push.read", payload, key, 0, &id))
        log_warn("push: read notice for conversation %lld: not queued", cv->id);
}

/* ---- routes (module.h) ---- */

static const route push_routes[] = {
    {"GET", "/push/key", h_push_key, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"GET", "/push/subscriptions", push_page, R_AUTH, "push", NULL, NULL, NULL},
    {"POST", "/push/subscriptions", h_push_subscribe, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"DELETE", "/push/subscriptions/:id", h_push_delete, R_AUTH, "push", NULL, push_page, NULL},
    {"POST", "/push/subscriptions/:id/delete", h_push_delete, R_AUTH, "push", NULL, push_page, NULL},
};
const module push_module = {"push", MODULE_ROUTES(push_routes), push_stmts};
