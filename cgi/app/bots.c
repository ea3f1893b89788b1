/* bots.c — bot accounts: a person makes a bot (POST /bots {username, display_name}, which
 * answers with the bot and its first API token, shown once), lists and deletes their bots,
 * and gives them more tokens (POST /bots/<id>/tokens). A bot is an ordinary account flagged
 * is_bot (hooks_bot_create): it has no usable password, so it signs in only with its tokens,
 * and it uses the JSON API and the event stream the way scripts do. Who owns what: rows
 * and strings in the request's arena; PGresults cleared where they are read. */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "hooks.h"
#include "people.h"
#include "tokens.h"
#include "users.h"

enum { BOTS_MAX_PER_OWNER = 25 };

const db_stmt bots_stmts[] = {
    {"bots_list", "SELECT " USERS_REF_COLS("u") ", " DB_TS("u.created_at") " FROM users u "
                  "WHERE u.bot_owner_id = $1 ORDER BY u.id DESC"},
    {"bots_count", "SELECT count(*) FROM users WHERE bot_owner_id = $1"},
    {"bots_owned", "SELECT 1 FROM users WHERE id = $1 AND bot_owner_id = $2"},
    {NULL, NULL},
};

static err_t bots_list_json(ctx *c, json_t **out)
{
    const char *p[] = {id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "bots_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        json_t *b = users_ref_json(r, i, 0);
        if (b) json_object_set_new(b, "created_at", json_string(PQgetvalue(r, i, USERS_REF_NCOLS)));
        json_array_append_new(arr, b);
    }
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

/* Adds "bots" (the caller's) to c->out, creating it if need be. */
static err_t bots_page_out(ctx *c)
{
    json_t *list;
    err_t e = bots_list_json(c, &list);
    if (e) return e;
    if (!c->out && !(c->out = json_object())) { json_decref(list); return ERR_INTERNAL; }
    json_object_set_new(c->out, "bots", list);
    return ERR_OK;
}

/* GET /bots (and the page). */
static err_t h_bots(ctx *c) { return bots_page_out(c); }

/* People make bots; a bot makes none. */
static err_t bots_person(ctx *c)
{
    return c->svc.user->is_bot ? ctx_fail(c, ERR_FORBIDDEN, NULL, "A bot cannot make or manage bots.") : ERR_OK;
}

/* POST /bots {"username","display_name"} → 201 {"bot","token","secret"}. */
static err_t h_bot_create(ctx *c)
{
    svc *s = &c->svc;
    err_t e = bots_person(c);
    if (e) return e;
    const char *p[] = {id_str(s, s->user->id)};
    PGresult *r;
    if ((e = db_exec(s->db, "bots_count", 1, p, &r))) return e;
    long long n = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (n >= BOTS_MAX_PER_OWNER)
        return ctx_fail(c, ERR_CONFLICT, NULL, arena_printf(s->a, "You have %d bots, the most a person may have. "
                                                            "Delete one first.", BOTS_MAX_PER_OWNER));
    user_row *bot;
    json_t *tok = NULL;
    char secret[TOKEN_SECRET_LEN + 1];
    if ((e = db_begin(s->db))) return e;
    if ((e = hooks_bot_create(s, ctx_str(c, "username"), ctx_str(c, "display_name"), s->user->id, &bot)) ||
        (e = tokens_create(s, bot->id, "first token", &tok, secret)) || (e = db_commit(s->db))) {
        db_rollback(s->db);
        json_decref(tok);
        return e;
    }
    audit_record(s, "bot.create", s->user->id, bot->id, c->rq.client_ip, json_pack("{s:s}", "username", bot->username));
    c->out = json_pack("{s:o,s:o,s:s}", "bot", user_json(bot), "token", tok, "secret", secret);
    if (!c->out) return ERR_INTERNAL;
    c->status = 201;
    if (!c->rq.is_api) {             /* the secret cannot travel through a redirect */
        c->page = "bots";
        return bots_page_out(c);
    }
    return ERR_OK;
}

/* The path's bot, which the caller must own (anyone else's: 404). */
static err_t bots_mine(ctx *c, long long *id)
{
    err_t e = bots_person(c);
    if (!e) e = param_id(c, "id", id);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, *id), id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "bots_owned", 2, p, &r))) return e;
    int mine = PQntuples(r) == 1;
    PQclear(r);
    return mine ? ERR_OK : ctx_fail(c, ERR_NOT_FOUND, NULL, "You have no such bot.");
}

/* DELETE /bots/<id> (or POST …/delete): the account goes; its messages stay, from a
 * deleted account, as any deleted account's do. Its open streams end. */
static err_t h_bot_delete(ctx *c)
{
    long long id;
    size_t n;
    err_t e = bots_mine(c, &id);
    if (!e) e = tokens_revoke_all(&c->svc, id, 0, &n);
    if (!e) e = users_delete(&c->svc, id);
    if (e) return e;
    audit_record(&c->svc, "bot.delete", c->svc.user->id, 0, c->rq.client_ip, json_pack("{s:I}", "bot_id", (json_int_t)id));
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/bots?done=deleted";
    return ERR_OK;
}

/* GET /bots/<id>/tokens */
static err_t h_bot_tokens(ctx *c)
{
    long long id;
    json_t *list;
    err_t e = bots_mine(c, &id);
    if (!e) e = tokens_list(&c->svc, id, &list);
    if (e) return e;
    c->out = json_pack("{s:o}", "tokens", list);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /bots/<id>/tokens {"name"} → 201 {"token","secret"} */
static err_t h_bot_token_create(ctx *c)
{
    long long id;
    json_t *tok;
    char secret[TOKEN_SECRET_LEN + 1];
    err_t e = bots_mine(c, &id);
    if (!e) e = tokens_create(&c->svc, id, ctx_str(c, "name"), &tok, secret);
    if (e) return e;
    audit_record(&c->svc, "bot.token.create", c->svc.user->id, id, c->rq.client_ip,
                 json_pack("{s:s}", "name", ctx_str(c, "name")));
    c->out = json_pack("{s:o,s:s}", "token", tok, "secret", secret);
    c->status = 201;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* DELETE /bots/<id>/tokens/<token_id> */
static err_t h_bot_token_revoke(ctx *c)
{
    long long id;
    err_t e = bots_mine(c, &id);
    if (!e) e = tokens_revoke(&c->svc, id, route_param(&c->params, "token_id"));
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "This bot has no such token.");
    if (e) return e;
    c->status = 204;
    return ERR_OK;
}

/* ---- routes (module.h) ---- */

static const field_spec f_bot[] = {
    {"username", "Username", FV_USERNAME, 1, 3, 32},
    {"display_name", "Display name", FV_TEXT, 1, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_bot_token[] = {
    {"name", "Token name", FV_TEXT, 1, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route bots_routes[] = {
    {"GET", "/bots", h_bots, R_AUTH, "bots", NULL, NULL, NULL},
    {"POST", "/bots", h_bot_create, R_AUTH, "bots", f_bot, h_bots, NULL},
    {"DELETE", "/bots/:id", h_bot_delete, R_AUTH, "bots", NULL, h_bots, NULL},
    {"POST", "/bots/:id/delete", h_bot_delete, R_AUTH, "bots", NULL, h_bots, NULL},
    {"GET", "/bots/:id/tokens", h_bot_tokens, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"POST", "/bots/:id/tokens", h_bot_token_create, R_AUTH | R_JSON_ONLY, NULL, f_bot_token, NULL, NULL},
    {"DELETE", "/bots/:id/tokens/:token_id", h_bot_token_revoke, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
};
const module bots_module = {"bots", MODULE_ROUTES(bots_routes), bots_stmts};
