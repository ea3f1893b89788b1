/* hooks_out.c — see hooks_out.h. Routes: GET/POST /conversations/<id>/outgoing-webhooks,
 * DELETE …/outgoing-webhooks/<hook_id> and its form twin (their jobs are queued by
 * msg_insert itself, send_jobs.h). Who owns
 * what: strings and rows in the request's arena; PGresults cleared where they are read. */
#include "hooks_out.h"
#include "hooks.h"
#include "module.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "events.h"
#include "msg.h"
#include "people.h"
#include "users.h"
#include "../core/log.h"
#include "../core/outbound.h"
#include "../worker/jobs.h"

#define OUT_COLS "w.id, w.name, w.url, w.trigger_word, w.mentions_only, " DB_TS("w.created_at") ", w.last_error, " \
                 USERS_REF_COLS("u")

const db_stmt hooks_out_stmts[] = {
    {"hooks_out_insert", "WITH w AS (INSERT INTO outgoing_webhooks (conversation_id, bot_id, name, url, trigger_word, "
                         "mentions_only, secret, created_by) VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8) "
                         "RETURNING *) SELECT " OUT_COLS " FROM w JOIN users u ON u.id = w.bot_id"},
    {"hooks_out_list", "SELECT " OUT_COLS " FROM outgoing_webhooks w JOIN users u ON u.id = w.bot_id "
                       "WHERE w.conversation_id = $1 ORDER BY w.id DESC"},
    {"hooks_out_delete", "DELETE FROM outgoing_webhooks WHERE id = $1 AND conversation_id = $2 RETURNING bot_id, name"},
    {NULL, NULL},
};

static json_t *out_row(PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:b,s:s,s:o,s:o}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                     "name", PQgetvalue(r, i, 1), "url", PQgetvalue(r, i, 2),
                     "trigger_word", PQgetisnull(r, i, 3) ? json_null() : json_string(PQgetvalue(r, i, 3)),
                     "mentions_only", PQgetvalue(r, i, 4)[0] == 't', "created_at", PQgetvalue(r, i, 5),
                     "last_error", PQgetisnull(r, i, 6) ? json_null() : json_string(PQgetvalue(r, i, 6)),
                     "bot", users_ref_json(r, i, 7));
}

err_t hooks_out_list_json(svc *c, long long conv_id, json_t **out)
{
    const char *p[] = {id_str(c, conv_id)};
    PGresult *r;
    err_t e = db_exec(c->db, "hooks_out_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) json_array_append_new(arr, out_row(r, i));
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

static int out_name_char(unsigned char ch) { return isalnum(ch) || ch == '_' || ch == '.' || ch == '-'; }

int hooks_out_triggered(const char *body, const char *trigger, int mentions_only, const char *username)
{
    int has_trigger = trigger && *trigger;
    if (!has_trigger && !mentions_only) return 1;
    if (has_trigger) {
        const char *b = body;
        while (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n') b++;
        size_t n = strlen(trigger);
        if (!strncasecmp(b, trigger, n) && (!b[n] || isspace((unsigned char)b[n]))) return 1;
    }
    if (mentions_only && username) {
        size_t n = strlen(username);
        for (const char *m = strchr(body, '@'); m; m = strchr(m + 1, '@')) {
            if ((m == body || !out_name_char((unsigned char)m[-1])) && !strncasecmp(m + 1, username, n) &&
                !out_name_char((unsigned char)m[1 + n]))
                return 1;
        }
    }
    return 0;
}

/* The path's group or channel, which the caller must manage (as hooks.c's). */
static err_t out_conv(ctx *c, conv *cv)
{
    err_t e = conv_from_path(c, cv);
    if (e) return e;
    if (strcmp(cv->kind, "group") && strcmp(cv->kind, "channel"))
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Webhooks are for groups and channels.");
    if (!conv_is_admin(cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can manage webhooks.");
    return ERR_OK;
}

/* GET /conversations/<id>/outgoing-webhooks */
static err_t h_out_list(ctx *c)
{
    conv cv;
    json_t *list;
    err_t e = out_conv(c, &cv);
    if (!e) e = hooks_out_list_json(&c->svc, cv.id, &list);
    if (e) return e;
    c->out = json_pack("{s:o}", "outgoing_webhooks", list);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /conversations/<id>/outgoing-webhooks {"name","url","trigger_word"?,"mentions_only"?,
 * "username"?} → 201 {"outgoing_webhook","secret"}: the signing secret is shown this once.
 * The URL passes the outbound guard now (and again on every send). */
static err_t h_out_create(ctx *c)
{
    svc *s = &c->svc;
    conv cv;
    err_t e = out_conv(c, &cv);
    if (e) return e;
    if (cv.e2e) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "An end-to-end encrypted conversation cannot have webhooks: "
                                                        "the server cannot read it.");
    const char *name = ctx_str(c, "name"), *url = ctx_str(c, "url"), *trigger = ctx_str(c, "trigger_word");
    const char *username = ctx_str(c, "username");
    json_t *mo = json_object_get(c->in, "mentions_only");
    int mentions_only = json_is_true(mo);
    if (trigger && strpbrk(trigger, " \t\r\n"))
        return ctx_fail(c, ERR_INVALID_FIELD, "trigger_word", "The trigger word must be one word, without spaces.");
    outbound_url u;
    const char *bad;
    char ip[OUTBOUND_IP_MAX], why[256];
    if (outbound_parse(url, &u, &bad)) return ctx_fail(c, ERR_INVALID_FIELD, "url", bad);
    if (outbound_check(s->cfg->outbound_allow, &u, ip, why, sizeof why))
        return ctx_fail(c, ERR_INVALID_FIELD, "url", arena_printf(s->a, "This URL cannot be used: %s", why));
    char raw[SECRET_LEN + 1], secret[HOOK_OUT_SECRET_LEN + 1];
    secret_new(raw);
    snprintf(secret, sizeof secret, "whsec_%s", raw);
    if (!username || !*username) {
        unsigned char rnd[5];
        char hex[11];
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
        username = arena_printf(s->a, "hook-%s", hex);
    }
    user_row *bot;
    PGresult *r;
    long long sys = 0;
    json_t *hook = NULL;
    if ((e = db_begin(s->db))) return e;
    if ((e = hooks_bot_create(s, username, name, 0, &bot))) goto fail;
    if ((e = conv_add_member(s, cv.id, bot->id, strcmp(cv.kind, "channel") ? "member" : "admin"))) goto fail;
    const char *p[] = {id_str(s, cv.id), id_str(s, bot->id), name, url, trigger ? trigger : "",
                       mentions_only ? "true" : "false", secret, id_str(s, s->user->id)};
    if ((e = db_exec(s->db, "hooks_out_insert", 8, p, &r))) goto fail;
    hook = out_row(r, 0);
    PQclear(r);
    if ((e = conv_system(s, cv.id, arena_printf(s->a, "%s added the outgoing webhook %s", s->user->display_name, name),
                         &sys)))
        goto fail;
    if ((e = db_commit(s->db))) goto fail;
    audit_record(s, "webhook.out.create", s->user->id, bot->id, c->rq.client_ip,
                 json_pack("{s:I,s:s,s:s}", "conversation_id", (json_int_t)cv.id, "name", name, "host", u.host));
    ev_conv(s, cv.id, json_pack("{s:s,s:I,s:o}", "type", "member.added", "conversation_id", (json_int_t)cv.id,
                                "user", users_ref_of(bot)), 0, 0);
    msg_event_created(s, cv.id, sys, 0, NULL);
    c->out = json_pack("{s:o,s:s}", "outgoing_webhook", hook, "secret", secret);
    c->status = 201;
    if (c->out && !c->rq.is_api) {   /* the secret cannot travel through a redirect */
        c->page = "conversation_webhooks";
        return hooks_page_out(c, &cv);
    }
    return c->out ? ERR_OK : ERR_INTERNAL;
fail:
    json_decref(hook);
    db_rollback(s->db);
    return e;
}

/* DELETE /conversations/<id>/outgoing-webhooks/<hook_id> (or POST …/delete). */
static err_t h_out_delete(ctx *c)
{
    conv cv;
    err_t e = out_conv(c, &cv);
    return e ? e : hooks_revoke(c, &cv, "hooks_out_delete", "webhook.out.delete");
}

/* ---- routes (module.h) ---- */

static const field_spec f_out[] = {
    {"name", "Webhook name", FV_TEXT, 1, 1, 64},
    {"url", "URL", FV_TEXT, 1, 10, 2048},
    {"trigger_word", "Trigger word", FV_TEXT, 0, 0, 32},
    {"mentions_only", "Only messages that mention it", FV_BOOL, 0, 0, 0},
    {"username", "Bot username", FV_TEXT, 0, 0, 32},
    {NULL, NULL, 0, 0, 0, 0},
};

/* The bot's username, when given, must be a username (checked after the generic field
 * rules, so the message names it). */
static err_t h_out_create_checked(ctx *c)
{
    const char *un = ctx_str(c, "username");
    if (un && *un) {
        const char *canon = users_canonical(c->svc.a, un);
        if (!canon) return ctx_fail(c, ERR_INVALID_FIELD, "username", "A username is 3–32 of a-z, 0-9, _ . and -.");
        json_object_set_new(c->in, "username", json_string(canon));
    }
    return h_out_create(c);
}

static const route hooks_out_routes[] = {
    {"GET", "/conversations/:id/outgoing-webhooks", h_out_list, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"POST", "/conversations/:id/outgoing-webhooks", h_out_create_checked, R_AUTH, "conversation_webhooks", f_out,
     hooks_page, NULL},
    {"DELETE", "/conversations/:id/outgoing-webhooks/:hook_id", h_out_delete, R_AUTH, "conversation_webhooks", NULL,
     hooks_page, NULL},
    {"POST", "/conversations/:id/outgoing-webhooks/:hook_id/delete", h_out_delete, R_AUTH, "conversation_webhooks",
     NULL, hooks_page, NULL},
};
const module hooks_out_module = {"hooks_out", MODULE_ROUTES(hooks_out_routes), hooks_out_stmts};
