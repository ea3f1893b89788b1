/* auth.h — who is asking, and whether a state-changing request really comes from them:
 * bearer tokens (sessions and personal tokens), the session cookie, and CSRF tokens. The
 * page server's pipeline and the events hub both use it. */
#ifndef PARLEY_AUTH_H
#define PARLEY_AUTH_H
#include "ctx.h"

/* Sets c->svc.user (NULL for nobody), c->auth, c->sess_id or c->token_id from the request's
 * Authorization header or parley_session cookie (c->rq parsed). A bad bearer token is
 * ERR_UNAUTHORIZED; a stale cookie is forgotten and the request goes on anonymous. */
err_t auth_resolve(ctx *c);
/* What an administrator requires of u before anything else: ERR_PASSWORD_CHANGE_REQUIRED,
 * ERR_TWO_FACTOR_SETUP_REQUIRED, or ERR_OK. Pages and the events hub alike. */
err_t auth_gate(const user_row *u);
/* Anonymous pages carry a double-submit token: the parley_csrf cookie (set here when
 * missing) and a form field; sets c->csrf. */
void auth_anon_csrf(ctx *c);
/* ERR_CSRF unless a state-changing request made with the session cookie carries the
 * session's CSRF token (field csrf_token or header X-CSRF-Token), and an anonymous form its
 * double-submit token. Bearer tokens need none: browsers never send them by themselves. */
err_t auth_csrf_check(ctx *c);

#endif
