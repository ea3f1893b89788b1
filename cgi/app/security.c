/* security.c — handlers: the sessions and personal API tokens of the logged-in user. */
#include "handlers.h"
#include "sessions.h"
#include "tokens.h"

err_t h_sessions(ctx *c)
{
    json_t *list;
    err_t e = sess_list(c, c->user->id, c->sess_id, &list);
    if (e) return e;
    c->out = json_pack("{s:o}", "sessions", list);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

err_t h_session_revoke(ctx *c)
{
    err_t e = sess_revoke(c, c->user->id, route_param(&c->params, "id"));
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no such session.");
    if (e) return e;
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/me/sessions?done=revoked";
    return ERR_OK;
}

err_t h_tokens(ctx *c)
{
    json_t *list;
    err_t e = tokens_list(c, c->user->id, &list);
    if (e) return e;
    c->out = json_pack("{s:o}", "tokens", list);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

err_t h_token_create(ctx *c)
{
    json_t *tok;
    char secret[TOKEN_SECRET_LEN + 1];
    err_t e = tokens_create(c, c->user->id, ctx_str(c, "name"), &tok, secret);
    if (e) return e;
    c->out = json_pack("{s:o,s:s}", "token", tok, "secret", secret);
    if (!c->out) return ERR_INTERNAL;
    c->status = 201;
    if (!c->rq.is_api) {
        /* The secret cannot travel through a redirect; show the list with it, this once. */
        json_t *list;
        e = tokens_list(c, c->user->id, &list);
        if (e) return e;
        json_object_set_new(c->out, "tokens", list);
        c->page = "tokens";
    }
    return ERR_OK;
}

err_t h_token_revoke(ctx *c)
{
    err_t e = tokens_revoke(c, c->user->id, route_param(&c->params, "id"));
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no such token.");
    if (e) return e;
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/me/tokens?done=revoked";
    return ERR_OK;
}
