/* account.c — handlers: register, log in, log out, log out everywhere. */
#include "module.h"
#include "account.h"
#include "twofactor.h"
#include "admin.h"
#include "audit.h"
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
err_t account_login_start(ctx *c, user_row *u, int status)
{
    char token[SECRET_LEN + 1];
    sess s;
    err_t e = sess_create(&c->svc, u->id, c->rq.client_ip, c->rq.user_agent, token, &s);
    if (e) return e;
    c->out = json_pack("{s:o,s:s}", "user", user_json(u), "token", token);
    c->status = status;
    if (status == 200) audit_record(&c->svc, "signin", u->id, u->id, c->rq.client_ip, NULL);
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", token, c->svc.cfg->session_ttl);
        c->redirect = safe_next(ctx_str(c, "next"));
    }
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_register(ctx *c)
{
    const char *ip_key = arena_printf(c->svc.a, "reg:ip:%s", c->rq.client_ip);
    err_t e = rl_take(&c->svc, ip_key, &c->svc.cfg->rl_register_ip);
    if (e) return e == ERR_RATE_LIMITED
        ? ctx_fail(c, e, NULL, "Too many new accounts from your network. Try again later.") : e;
    /* The administrators' policy: open, by invitation (one use of it, with the account in
     * one transaction), or closed. */
    const char *policy = admin_registration(&c->svc);
    if (!policy) return ERR_UNAVAILABLE;
    if (!strcmp(policy, "closed"))
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "Registration is closed on this server. Ask its administrators for an account.");
    int invited = !strcmp(policy, "invite");
    if (invited && (e = db_begin(c->svc.db))) return e;
    if (invited && (e = admin_invite_use(&c->svc, ctx_str(c, "invite")))) { db_rollback(c->svc.db); return e; }
    user_row *u;
    e = users_create(&c->svc, ctx_str(c, "username"), ctx_str(c, "display_name"), ctx_str(c, "password"), &u);
    if (invited) {
        if (e) db_rollback(c->svc.db);
        else e = db_commit(c->svc.db);
    }
    if (e) return e;
    audit_record(&c->svc, "register", u->id, u->id, c->rq.client_ip, invited ? json_pack("{s:b}", "invited", 1) : NULL);
    return account_login_start(c, u, 201);
}

err_t account_limited(svc *c, err_t e)
{
    return e == ERR_RATE_LIMITED
        ? svc_fail(c, e, NULL, "Too many failed attempts. Wait a few minutes and try again.") : e;
}

const char *account_budget(svc *c, long long uid)
{
    return arena_printf(c->a, "login:u:%lld", uid);
}

/* Failed logins are limited per client address and per account. A slot of each budget is
 * taken before the password is checked (so requests sent at once cannot overshoot) and
 * given back when the login succeeds. The account's budget is keyed by its id once the
 * name is found (by the canonical name otherwise, so that unknown names are limited alike
 * and a 429 reveals nothing); a name that cannot be a username names nobody. */
static err_t h_login(ctx *c)
{
    const char *ip_key = arena_printf(c->svc.a, "login:ip:%s", c->rq.client_ip);
    err_t e = rl_take(&c->svc, ip_key, &c->svc.cfg->rl_login_ip);
    if (e) return account_limited(&c->svc, e);
    const char *name = users_canonical(c->svc.a, ctx_str(c, "username")), *hash = NULL, *user_key = NULL;
    user_row *u = NULL;
    if (name && (e = users_find_login(&c->svc, name, &u, &hash))) { rl_give(&c->svc, ip_key); return e; }
    if (name) {
        user_key = u ? account_budget(&c->svc, u->id) : arena_printf(c->svc.a, "login:n:%s", name);
        if ((e = rl_take(&c->svc, user_key, &c->svc.cfg->rl_login_user))) { rl_give(&c->svc, ip_key); return account_limited(&c->svc, e); }
    }
    if (!users_password_ok(hash, ctx_str(c, "password"))) {
        if (u) audit_record(&c->svc, "signin.failed", 0, u->id, c->rq.client_ip, NULL);
        return ctx_fail(c, ERR_INVALID_CREDENTIALS, "password", "Wrong username or password.");
    }
    rl_give(&c->svc, ip_key);                                  /* not a failure: the slots go back */
    rl_give(&c->svc, user_key);
    if (u->deactivated) {                                      /* only the right password learns it */
        audit_record(&c->svc, "signin.refused", 0, u->id, c->rq.client_ip, NULL);
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "This account has been deactivated by an administrator.");
    }
    int second;
    if ((e = twofactor_enabled(&c->svc, u->id, &second))) return e;
    return second ? twofactor_login(c, u) : account_login_start(c, u, 200);
}

static err_t h_logout(ctx *c)
{
    err_t e = ERR_OK;
    if (!c->svc.user && c->rq.is_api) return ctx_fail(c, ERR_UNAUTHORIZED, NULL, "You are not logged in.");
    if (c->svc.user && c->sess_id[0]) e = sess_revoke(&c->svc, c->svc.user->id, c->sess_id);
    if (c->svc.user && c->token_id) {
        char id[24];
        snprintf(id, sizeof id, "%lld", c->token_id);
        e = tokens_revoke(&c->svc, c->svc.user->id, id);
    }
    if (e && e != ERR_NOT_FOUND) return e;
    c->status = 204;
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", "", 0);
        c->redirect = "/?done=logout";
    }
    return ERR_OK;
}

err_t account_end_others(ctx *c, int keep_current)
{
    size_t sessions, tokens;
    err_t e = sess_revoke_all(&c->svc, c->svc.user->id, keep_current ? c->sess_id : NULL, &sessions);
    if (!e) e = tokens_revoke_all(&c->svc, c->svc.user->id, keep_current ? c->token_id : 0, &tokens);
    if (e) return e;
    c->out = json_pack("{s:I,s:I}", "sessions_ended", (json_int_t)sessions, "tokens_revoked", (json_int_t)tokens);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /logout/all: every session and every personal API token, this one included. */
static err_t h_logout_all(ctx *c)
{
    err_t e = account_end_others(c, 0);
    if (e) return e;
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", "", 0);
        c->redirect = arena_printf(c->svc.a, "/login?done=logout_all&sessions=%lld&tokens=%lld",
                                   json_integer_value(json_object_get(c->out, "sessions_ended")),
                                   json_integer_value(json_object_get(c->out, "tokens_revoked")));
    }
    return ERR_OK;
}

/* GET /login and /register: the form; someone logged in goes to /me. */
static err_t h_login_form(ctx *c)
{
    if (c->svc.user && !c->rq.is_api) { c->redirect = "/me"; return ERR_OK; }
    const char *next = req_query(&c->rq, "next");
    c->out = next ? json_pack("{s:s}", "next", safe_next(next)) : json_object();
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec f_register[] = {
    {"username", "Username", FV_USERNAME, 1, 3, 32},
    {"password", "Password", FV_BYTES, 1, 8, 1024},
    {"display_name", "Display name", FV_TEXT, 1, 1, 64},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {"invite", "Invitation", FV_BYTES, 0, 0, 128},   /* when registration is by invitation */
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_login[] = {
    {"username", "Username", FV_TEXT, 1, 1, 64},
    {"password", "Password", FV_BYTES, 1, 1, 1024},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {"totp", "Code", FV_TEXT, 0, 0, 32},       /* with two-factor sign-in on */
    {NULL, NULL, 0, 0, 0, 0},
};

static const route account_routes[] = {
    {"GET", "/register", h_login_form, 0, "register", NULL, NULL, NULL},
    {"POST", "/register", h_register, R_ANON_FORM, "register", f_register, NULL, NULL},
    {"GET", "/login", h_login_form, 0, "login", NULL, NULL, NULL},
    {"POST", "/login", h_login, R_ANON_FORM, "login", f_login, NULL, NULL},
    {"POST", "/logout", h_logout, R_SETUP, NULL, NULL, NULL, NULL},
    {"POST", "/logout/all", h_logout_all, R_AUTH | R_SETUP, NULL, NULL, NULL, NULL},
};
const module account_module = {"account", MODULE_ROUTES(account_routes), NULL};
