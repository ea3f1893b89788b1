/* account.c — handlers: register, log in, log out, log out everywhere. */
#include "handlers.h"
#include <stdio.h>
#include <string.h>
#include "ratelimit.h"
#include "sessions.h"
#include "tokens.h"
#include "users.h"

/* A local path to return to after login ("/me"), never another site ("//evil", "http:"). */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
        return "/me";
    return next;
}

/* Opens a session for u and answers {"user","token"}; pages get the cookie and a redirect. */
static err_t login_start(ctx *c, user_row *u, int status)
{
    char token[SECRET_LEN + 1];
    sess s;
    err_t e = sess_create(c, u->id, token, &s);
    if (e) return e;
    c->out = json_pack("{s:o,s:s}", "user", user_json(u), "token", token);
    c->status = status;
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", token, c->cfg->session_ttl);
        c->redirect = safe_next(ctx_str(c, "next"));
    }
    return c->out ? ERR_OK : ERR_INTERNAL;
}

err_t h_register(ctx *c)
{
    const char *ip_key = arena_printf(c->a, "reg:ip:%s", c->rq.client_ip);
    err_t e = rl_check(c, ip_key, &c->cfg->rl_register_ip);
    if (!e) e = rl_hit(c, ip_key, &c->cfg->rl_register_ip);
    if (e) return e == ERR_RATE_LIMITED
        ? ctx_fail(c, e, NULL, "Too many new accounts from your network. Try again later.") : e;
    user_row *u;
    e = users_create(c, ctx_str(c, "username"), ctx_str(c, "display_name"), ctx_str(c, "password"), &u);
    if (e) return e;
    return login_start(c, u, 201);
}

err_t h_login(ctx *c)
{
    char name[65];
    snprintf(name, sizeof name, "%s", ctx_str(c, "username"));
    for (char *p = name; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    const char *user_key = arena_printf(c->a, "login:u:%s", name);
    const char *ip_key = arena_printf(c->a, "login:ip:%s", c->rq.client_ip);
    err_t e = rl_check(c, user_key, &c->cfg->rl_login_user);
    if (!e) e = rl_check(c, ip_key, &c->cfg->rl_login_ip);
    if (e) return e == ERR_RATE_LIMITED
        ? ctx_fail(c, e, NULL, "Too many failed attempts. Wait a few minutes and try again.") : e;
    user_row *u;
    e = users_authenticate(c, name, ctx_str(c, "password"), &u);
    if (e == ERR_INVALID_CREDENTIALS) {
        err_t h = rl_hit(c, user_key, &c->cfg->rl_login_user);
        if (!h) h = rl_hit(c, ip_key, &c->cfg->rl_login_ip);
        return h ? h : ctx_fail(c, e, "password", "Wrong username or password.");
    }
    if (e) return e;
    return login_start(c, u, 200);
}

err_t h_logout(ctx *c)
{
    err_t e = ERR_OK;
    if (!c->user && c->rq.is_api) return ctx_fail(c, ERR_UNAUTHORIZED, NULL, "You are not logged in.");
    if (c->user && c->sess_id[0]) e = sess_revoke(c, c->user->id, c->sess_id);
    if (c->user && c->token_id) {
        char id[24];
        snprintf(id, sizeof id, "%lld", c->token_id);
        e = tokens_revoke(c, c->user->id, id);
    }
    if (e && e != ERR_NOT_FOUND) return e;
    c->status = 204;
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", "", 0);
        c->redirect = "/?done=logout";
    }
    return ERR_OK;
}

err_t h_logout_all(ctx *c)
{
    err_t e = sess_revoke_all(c, c->user->id, NULL);
    if (e) return e;
    c->status = 204;
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", "", 0);
        c->redirect = "/login?done=logout_all";
    }
    return ERR_OK;
}

/* GET /login and /register: the form; someone logged in goes to /me. */
err_t h_login_form(ctx *c)
{
    if (c->user && !c->rq.is_api) { c->redirect = "/me"; return ERR_OK; }
    const char *next = req_query(&c->rq, "next");
    c->out = next ? json_pack("{s:s}", "next", safe_next(next)) : json_object();
    return c->out ? ERR_OK : ERR_INTERNAL;
}
