/* security.c — handlers: the sessions and personal API tokens of the logged-in user. */
#include "module.h"
#include "audit.h"
#include "sessions.h"
#include "tokens.h"

static err_t h_sessions(ctx *c)
{
    json_t *list;
    err_t e = sess_list(&c->svc, c->svc.user->id, c->sess_id, &list);
    if (e) return e;
    c->out = json_pack("{s:o}", "sessions", list);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_session_revoke(ctx *c)
{
    err_t e = sess_revoke(&c->svc, c->svc.user->id, route_param(&c->params, "id"));
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no such session.");
    if (e) return e;
    audit_record(&c->svc, "session.revoke", c->svc.user->id, c->svc.user->id, c->rq.client_ip, NULL);
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/me/sessions?done=revoked";
    return ERR_OK;
}

static err_t h_tokens(ctx *c)
{
    json_t *list;
    err_t e = tokens_list(&c->svc, c->svc.user->id, &list);
    if (e) return e;
    c->out = json_pack("{s:o}", "tokens", list);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_token_create(ctx *c)
{
    json_t *tok;
    char secret[TOKEN_SECRET_LEN + 1];
    err_t e = tokens_create(&c->svc, c->svc.user->id, ctx_str(c, "name"), &tok, secret);
    if (e) return e;
    c->out = json_pack("{s:o,s:s}", "token", tok, "secret", secret);
    if (!c->out) return ERR_INTERNAL;
    audit_record(&c->svc, "token.create", c->svc.user->id, c->svc.user->id, c->rq.client_ip,
                 json_pack("{s:s}", "name", ctx_str(c, "name")));
    c->status = 201;
    if (!c->rq.is_api) {
        /* The secret cannot travel through a redirect; show the list with it, this once. */
        json_t *list;
        e = tokens_list(&c->svc, c->svc.user->id, &list);
        if (e) return e;
        json_object_set_new(c->out, "tokens", list);
        c->page = "tokens";
    }
    return ERR_OK;
}

static err_t h_token_revoke(ctx *c)
{
    err_t e = tokens_revoke(&c->svc, c->svc.user->id, route_param(&c->params, "id"));
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no such token.");
    if (e) return e;
    audit_record(&c->svc, "token.revoke", c->svc.user->id, c->svc.user->id, c->rq.client_ip, NULL);
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/me/tokens?done=revoked";
    return ERR_OK;
}

/* ---- routes (module.h) ---- */

static const field_spec f_token[] = {
    {"name", "Token name", FV_TEXT, 1, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route security_routes[] = {
    {"GET", "/me/sessions", h_sessions, R_AUTH, "sessions", NULL, NULL, NULL},
    {"DELETE", "/me/sessions/:id", h_session_revoke, R_AUTH, "sessions", NULL, h_sessions, NULL},
    {"POST", "/me/sessions/:id/revoke", h_session_revoke, R_AUTH, "sessions", NULL, h_sessions, NULL},
    {"GET", "/me/tokens", h_tokens, R_AUTH, "tokens", NULL, NULL, NULL},
    {"POST", "/me/tokens", h_token_create, R_AUTH, "tokens", f_token, h_tokens, NULL},
    {"DELETE", "/me/tokens/:id", h_token_revoke, R_AUTH, "tokens", NULL, h_tokens, NULL},
    {"POST", "/me/tokens/:id/revoke", h_token_revoke, R_AUTH, "tokens", NULL, h_tokens, NULL},
};
const module security_module = {"security", MODULE_ROUTES(security_routes), NULL};
