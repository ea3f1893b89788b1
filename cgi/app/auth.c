/* auth.c — see auth.h. */
#include "auth.h"
#include <string.h>
#include <strings.h>
#include "secret.h"
#include "sessions.h"
#include "tokens.h"
#include "users.h"

static int is_safe_method(const char *m) { return !strcmp(m, "GET") || !strcmp(m, "HEAD"); }

err_t auth_resolve(ctx *c)
{
    long long uid = 0;
    users_version ver = {0};                 /* known only for sessions: see users_by_id_cached */
    const char *h = c->rq.authorization;
    if (h) {
        if (strncasecmp(h, "Bearer ", 7))
            return ctx_fail(c, ERR_UNAUTHORIZED, NULL, "Send the token as: Authorization: Bearer <token>.");
        const char *tok = h + 7;
        while (*tok == ' ') tok++;
        err_t e;
        if (!strncmp(tok, "pat_", 4)) {
            e = tokens_lookup(&c->svc, tok, &uid, &c->token_id);
            c->auth = AUTH_TOKEN;
        } else {
            sess s;
            e = sess_lookup(&c->svc, tok, c->rq.client_ip, &s);
            uid = s.uid;
            ver = s.ver;
            memcpy(c->sess_id, s.id, sizeof c->sess_id);
            c->auth = AUTH_BEARER;
        }
        if (e == ERR_UNAUTHORIZED)
            return ctx_fail(c, e, NULL, "The token is invalid, expired or revoked.");
        if (e) return e;
    } else {
        const char *tok = req_cookie(&c->rq, "parley_session");
        if (tok && *tok) {
            sess s;
            err_t e = sess_lookup(&c->svc, tok, c->rq.client_ip, &s);
            if (e == ERR_UNAUTHORIZED) {
                ctx_set_cookie(c, "parley_session", "", 0);    /* stale: forget it */
            } else if (e) {
                return e;
            } else {
                uid = s.uid;
                ver = s.ver;
                memcpy(c->sess_id, s.id, sizeof c->sess_id);
                c->csrf = arena_strdup(c->svc.a, s.csrf);
                c->auth = AUTH_COOKIE;
            }
        }
    }
    if (uid) {
        err_t e = users_by_id_cached(&c->svc, uid, &ver, &c->svc.user);
        if (!e && c->svc.user->deactivated) e = ERR_NOT_FOUND;    /* its sessions ended with it */
        if (e == ERR_NOT_FOUND) {
            c->svc.user = NULL;
            if (c->auth != AUTH_COOKIE) return ERR_UNAUTHORIZED;
            c->auth = AUTH_NONE;
            c->csrf = NULL;
        } else if (e) {
            return e;
        }
    }
    return ERR_OK;
}

err_t auth_gate(const user_row *u)
{
    if (u->must_change_password) return ERR_PASSWORD_CHANGE_REQUIRED;
    if (u->needs_2fa) return ERR_TWO_FACTOR_SETUP_REQUIRED;
    return ERR_OK;
}

void auth_anon_csrf(ctx *c)
{
    if (c->svc.user || c->csrf) return;
    const char *have = req_cookie(&c->rq, "parley_csrf");
    if (have && secret_shape_ok(have, "")) { c->csrf = have; return; }
    char *tok = arena_alloc(c->svc.a, SECRET_LEN + 1);
    if (!tok) return;
    secret_new(tok);
    ctx_set_cookie(c, "parley_csrf", tok, -1);
    c->csrf = tok;
}

err_t auth_csrf_check(ctx *c)
{
    if (is_safe_method(c->rq.method)) return ERR_OK;
    const char *sent = ctx_str(c, "csrf_token");
    if (!sent) sent = c->rq.csrf_header;
    if (c->auth == AUTH_COOKIE) {
        if (!sent || !c->csrf || !secret_equal(sent, c->csrf)) return ERR_CSRF;
    } else if (c->auth == AUTH_NONE && !c->rq.is_api && (c->rt->flags & R_ANON_FORM)) {
        const char *cookie = req_cookie(&c->rq, "parley_csrf");
        if (!sent || !cookie || !*cookie || !secret_equal(sent, cookie)) return ERR_CSRF;
    }
    return ERR_OK;
}
