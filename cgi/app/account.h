/* account.h — what the login and the password change share: the per-account budget of
 * failed password checks, and ending an account's other sessions and tokens. */
#ifndef PARLEY_ACCOUNT_H
#define PARLEY_ACCOUNT_H
#include "ctx.h"

/* The rate-limit key of uid's failed password checks (logins and password changes count
 * against the same PARLEY_RL_LOGIN_USER budget); in the arena. */
const char *account_budget(svc *c, long long uid);
/* e, with the message people see when a budget is spent. */
err_t account_limited(svc *c, err_t e);
/* Ends every session and personal API token of the caller (but the credential of this
 * request when keep_current) and their open streams; c->out = {"sessions_ended",
 * "tokens_revoked"}. */
err_t account_end_others(ctx *c, int keep_current);
/* Opens a session for u and answers {"user","token"} with status; pages get the cookie and
 * a redirect to the form's "next". The end of every successful sign-in. */
err_t account_login_start(ctx *c, user_row *u, int status);

#endif
