/* hooks.c — see hooks.h. Routes: a conversation's incoming webhooks (GET/POST
 * /conversations/<id>/webhooks, DELETE …/webhooks/<hook_id> and its form twin) and the
 * secret URL itself (POST /hooks/<secret>). Who owns what: strings and rows in the
 * request's arena; PGresults cleared where they are read. */
#include "hooks.h"
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "events.h"
#include "hooks_out.h"
#include "msg.h"
#include "people.h"
#include "ratelimit.h"
#include "users.h"
#include "../core/utf8.h"

/* Posts one webhook may make: Slack's own limit is about one a second. */
static const rate_rule hooks_rate = {30, 60};

#define HOOK_COLS "h.id, h.name, " DB_TS("h.created_at") ", " DB_TS("h.last_used_at") ", " USERS_REF_COLS("u")

const db_stmt hooks_stmts[] = {
    /* '!' is no Argon2id string: no password can ever match a bot's. */
    {"hooks_bot_insert", "INSERT INTO users (username, display_name, password_hash, is_bot, bot_owner_id) "
                         "VALUES ($1, $2, '!', true, NULLIF($3::bigint, 0)) RETURNING id"},
    {"hooks_insert", "WITH h AS (INSERT INTO incoming_webhooks (conversation_id, bot_id, name, secret_hash, created_by) "
                     "VALUES ($1, $2, $3, $4, $5) RETURNING *) SELECT " HOOK_COLS " FROM h JOIN users u ON u.id = h.bot_id"},
    {"hooks_list", "SELECT " HOOK_COLS " FROM incoming_webhooks h JOIN users u ON u.id = h.bot_id "
                   "WHERE h.conversation_id = $1 ORDER BY h.id DESC"},
    {"hooks_delete", "DELETE FROM incoming_webhooks WHERE id = $1 AND conversation_id = $2 RETURNING bot_id, name"},
    {"hooks_lookup", "UPDATE incoming_webhooks SET last_used_at = now() WHERE secret_hash = $1 "
                     "RETURNING id, conversation_id, bot_id"},
    {NULL, NULL},
};

static json_t *hooks_row(PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)), "name", PQgetvalue(r, i, 1),
                     "created_at", PQgetvalue(r, i, 2),
                     "last_used_at", PQgetisnull(r, i, 3) ? json_null() : json_string(PQgetvalue(r, i, 3)),
                     "bot", users_ref_json(r, i, 4));
}

err_t hooks_bot_create(svc *c, const char *username, const char *display_name, long long owner_id, user_row **out)
{
    const char *p[] = {username, display_name, id_str(c, owner_id)};
    PGresult *r;
    err_t e = db_exec(c->db, "hooks_bot_insert", 3, p, &r);
    if (e == ERR_INTERNAL && !strcmp(c->db->sqlstate, "23505"))
        return svc_fail(c, ERR_USERNAME_TAKEN, "username", "That username is taken. Try another one.");
    if (e) return e;
    long long id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return users_by_id(c, id, out);
}

/* The path's group or channel (a direct one: 400), which the caller must manage (members
 * who do not: 403, as for its other settings; everyone else: 404). */
static err_t hooks_conv(ctx *c, conv *cv)
{
    err_t e = conv_from_path(c, cv);
    if (e) return e;
    if (!strcmp(cv->kind, "direct") || !strcmp(cv->kind, "system"))
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Webhooks are for groups and channels.");
    if (!conv_is_admin(cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can manage webhooks.");
    return ERR_OK;
}

static err_t hooks_list_json(ctx *c, long long conv_id, json_t **out)
{
    const char *p[] = {id_str(&c->svc, conv_id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "hooks_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) json_array_append_new(arr, hooks_row(r, i));
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

err_t hooks_page_out(ctx *c, const conv *cv)
{
    json_t *list, *out;
    err_t e = hooks_list_json(c, cv->id, &list);
    if (e) return e;
    if ((e = hooks_out_list_json(&c->svc, cv->id, &out))) { json_decref(list); return e; }
    json_t *o = json_pack("{s:{s:I,s:s,s:s},s:o,s:o}", "conversation", "id", (json_int_t)cv->id, "title",
                          cv->title ? cv->title : "", "kind", cv->kind, "webhooks", list, "outgoing", out);
    if (!o) return ERR_INTERNAL;
    if (c->out) {
        json_object_update(c->out, o);
        json_decref(o);
    } else c->out = o;
    return ERR_OK;
}

/* GET /conversations/<id>/webhooks (and the page). */
err_t hooks_page(ctx *c)
{
    conv cv;
    err_t e = hooks_conv(c, &cv);
    return e ? e : hooks_page_out(c, &cv);
}

/* POST /conversations/<id>/webhooks {"name"} → 201 {"webhook","url","secret"}: the URL is
 * shown this once. The webhook's bot joins the conversation (as an admin in a channel,
 * where only owners and admins post). */
static err_t h_hooks_create(ctx *c)
{
    svc *s = &c->svc;
    conv cv;
    err_t e = hooks_conv(c, &cv);
    if (e) return e;
    if (cv.e2e) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "An end-to-end encrypted conversation cannot have webhooks: "
                                                        "the server cannot write into it.");
    const char *name = ctx_str(c, "name");
    unsigned char rnd[5];
    char hex[11], raw[SECRET_LEN + 1], secret[HOOK_SECRET_LEN + 1], hash[SECRET_HEX + 1];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    secret_new(raw);
    snprintf(secret, sizeof secret, "whk_%s", raw);
    secret_hash(secret, hash);
    user_row *bot;
    PGresult *r;
    long long sys = 0;
    if ((e = db_begin(s->db))) return e;
    if ((e = hooks_bot_create(s, arena_printf(s->a, "hook-%s", hex), name, 0, &bot))) goto fail;
    if ((e = conv_add_member(s, cv.id, bot->id, strcmp(cv.kind, "channel") ? "member" : "admin"))) goto fail;
    const char *p[] = {id_str(s, cv.id), id_str(s, bot->id), name, hash, id_str(s, s->user->id)};
    if ((e = db_exec(s->db, "hooks_insert", 5, p, &r))) goto fail;
    json_t *hook = hooks_row(r, 0);
    PQclear(r);
    if ((e = conv_system(s, cv.id, arena_printf(s->a, "%s added the webhook %s", s->user->display_name, name), &sys))) {
        json_decref(hook);
        goto fail;
    }
    if ((e = db_commit(s->db))) { json_decref(hook); goto fail; }
    const char *base = s->cfg->public_url && *s->cfg->public_url ? s->cfg->public_url : "";
    c->out = json_pack("{s:o,s:s,s:s}", "webhook", hook, "url", arena_printf(s->a, "%s/hooks/%s", base, secret),
                       "secret", secret);
    if (!c->out) return ERR_INTERNAL;
    audit_record(s, "webhook.create", s->user->id, bot->id, c->rq.client_ip,
                 json_pack("{s:I,s:s}", "conversation_id", (json_int_t)cv.id, "name", name));
    ev_conv(s, cv.id, json_pack("{s:s,s:I,s:o}", "type", "member.added", "conversation_id", (json_int_t)cv.id,
                                "user", users_ref_of(bot)), 0, 0);
    msg_event_created(s, cv.id, sys, 0, NULL);
    c->status = 201;
    if (!c->rq.is_api) {             /* the secret cannot travel through a redirect */
        c->page = "conversation_webhooks";
        return hooks_page_out(c, &cv);
    }
    return ERR_OK;
fail:
    db_rollback(s->db);
    return e;
}

err_t hooks_revoke(ctx *c, const conv *cv, const char *stmt, const char *audit_kind)
{
    svc *s = &c->svc;
    long long id;
    err_t e = param_id(c, "hook_id", &id);
    if (e) return e;
    const char *p[] = {id_str(s, id), id_str(s, cv->id)};
    PGresult *r;
    if ((e = db_exec(s->db, stmt, 2, p, &r))) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ctx_fail(c, ERR_NOT_FOUND, NULL, "This conversation has no such webhook."); }
    long long bot = atoll(PQgetvalue(r, 0, 0));
    json_t *detail = json_pack("{s:I,s:s}", "conversation_id", (json_int_t)cv->id, "name", PQgetvalue(r, 0, 1));
    PQclear(r);
    const char *q[] = {id_str(s, cv->id), id_str(s, bot)};
    if ((e = db_exec(s->db, "member_delete", 2, q, &r))) { json_decref(detail); return e; }
    PQclear(r);
    audit_record(s, audit_kind, s->user->id, bot, c->rq.client_ip, detail);
    ev_conv(s, cv->id, json_pack("{s:s,s:I,s:I}", "type", "member.removed", "conversation_id", (json_int_t)cv->id,
                                 "user_id", (json_int_t)bot), bot, 0);
    c->status = 204;
    if (!c->rq.is_api) c->redirect = arena_printf(s->a, "/conversations/%lld/webhooks?done=revoked", cv->id);
    return ERR_OK;
}

/* DELETE /conversations/<id>/webhooks/<hook_id> (or POST …/delete): its URL answers 404 from
 * now on; its bot leaves the conversation, its messages stay. */
static err_t h_hooks_delete(ctx *c)
{
    conv cv;
    err_t e = hooks_conv(c, &cv);
    return e ? e : hooks_revoke(c, &cv, "hooks_delete", "webhook.delete");
}

/* Slack's "username" override: 1–80 characters of visible text (no control, invisible or
 * direction-changing characters, not blank), else a 400 naming the field. */
static err_t hooks_username_ok(ctx *c, json_t *u, const char **name)
{
    *name = NULL;
    if (!u || json_is_null(u)) return ERR_OK;
    const char *s = json_string_value(u);
    size_t n = s ? strlen(s) : 0, chars = s && utf8_valid(s, n) ? utf8_count(s, n) : 0;
    if (!s || !chars || chars > HOOKS_USERNAME_MAX || utf8_has_control(s, n, 0) || utf8_has_invisible(s, n) ||
        strspn(s, " ") == n)
        return ctx_fail(c, ERR_INVALID_FIELD, "username", "The username must be 1 to 80 visible characters, without "
                                                          "control characters.");
    *name = arena_strdup(c->svc.a, s);
    return *name ? ERR_OK : ERR_INTERNAL;
}

/* The text of a post: {"text"} as JSON or form fields, or Slack's form field payload=<JSON>;
 * with it the optional "username" (the name the message shows, beside the bot's). */
static err_t hooks_text(ctx *c, const char **text, const char **username)
{
    json_t *in = c->in, *owned = NULL;
    const char *payload = json_string_value(json_object_get(in, "payload"));
    if (payload) {
        json_error_t je;
        owned = json_loads(payload, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(owned)) {
            json_decref(owned);
            return ctx_fail(c, ERR_BAD_REQUEST, "payload", "The payload field must be a JSON object like {\"text\":\"Hello\"}.");
        }
        in = owned;
    }
    json_t *t = json_object_get(in, "text");
    *text = json_is_string(t) ? arena_strdup(c->svc.a, json_string_value(t)) : NULL;
    if (!*text || strspn(*text, " \t\r\n") == strlen(*text)) {
        json_decref(owned);
        return ctx_fail(c, ERR_MISSING_FIELD, "text", "Send the message as {\"text\":\"…\"}: the text is missing or blank.");
    }
    err_t e = hooks_username_ok(c, json_object_get(in, "username"), username);
    json_decref(owned);
    return e;
}

/* POST /hooks/<secret>: no session and no CSRF token, the secret is the credential. */
static err_t h_hooks_post(ctx *c)
{
    svc *s = &c->svc;
    const char *secret = route_param(&c->params, "secret");
    if (!secret || !secret_shape_ok(secret, "whk_")) return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such webhook.");
    char hash[SECRET_HEX + 1];
    secret_hash(secret, hash);
    const char *p[] = {hash};
    PGresult *r;
    err_t e = db_exec(s->db, "hooks_lookup", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such webhook."); }
    long long hook = atoll(PQgetvalue(r, 0, 0)), conv_id = atoll(PQgetvalue(r, 0, 1)), bot_id = atoll(PQgetvalue(r, 0, 2));
    PQclear(r);
    if ((e = rl_take(s, arena_printf(s->a, "hook:%lld", hook), &hooks_rate)))
        return e == ERR_RATE_LIMITED ? ctx_fail(c, e, NULL, "This webhook posted too often. Wait a moment and try again.") : e;
    const char *text = NULL, *username = NULL;
    if ((e = hooks_text(c, &text, &username))) return e;
    svc bs = *s;                            /* the same connections, acting as the bot */
    if ((e = users_by_id(&bs, bot_id, &bs.user))) return e;
    conv cv;
    if ((e = conv_load(&bs, conv_id, &cv))) return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such webhook.");
    int created;
    long long seq, event_id;
    if ((e = msg_body_ok(&bs, text)) ||
        (e = msg_send_as(&bs, &cv, text, username, NULL, 0, NULL, &created, &seq, &event_id))) {
        s->err_field = bs.err_field ? (!strcmp(bs.err_field, "body") ? "text" : bs.err_field) : NULL;
        s->err_msg = bs.err_msg;
        return e;
    }
    msg_event_created(&bs, conv_id, seq, event_id, NULL);
    c->out = json_pack("{s:b,s:I,s:I}", "ok", 1, "conversation_id", (json_int_t)conv_id, "seq", (json_int_t)seq);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec f_hook[] = {
    {"name", "Webhook name", FV_TEXT, 1, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route hooks_routes[] = {
    {"GET", "/conversations/:id/webhooks", hooks_page, R_AUTH, "conversation_webhooks", NULL, NULL, NULL},
    {"POST", "/conversations/:id/webhooks", h_hooks_create, R_AUTH, "conversation_webhooks", f_hook, hooks_page, NULL},
    {"DELETE", "/conversations/:id/webhooks/:hook_id", h_hooks_delete, R_AUTH, "conversation_webhooks", NULL, hooks_page, NULL},
    {"POST", "/conversations/:id/webhooks/:hook_id/delete", h_hooks_delete, R_AUTH, "conversation_webhooks", NULL,
     hooks_page, NULL},
    {"POST", "/hooks/:secret", h_hooks_post, R_PUBLIC | R_JSON_ONLY | R_SECRET_PATH, NULL, NULL, NULL, NULL},
};
const module hooks_module = {"hooks", MODULE_ROUTES(hooks_routes), hooks_stmts};
