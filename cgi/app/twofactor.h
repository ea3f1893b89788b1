/* twofactor.h — what the login asks of two-factor sign-in (twofactor.c). */
#ifndef PARLEY_TWOFACTOR_H
#define PARLEY_TWOFACTOR_H
#include "ctx.h"

/* *on: uid has two-factor sign-in turned on (set up and confirmed). */
err_t twofactor_enabled(svc *c, long long uid, int *on);
/* The rest of a login whose password was right, for u with two-factor sign-in on: with a
 * right "totp" (or recovery code), the session; without one, ERR_TOTP_REQUIRED for the API
 * and, for pages, the code form holding a ticket (5 minutes, 5 tries) instead of the
 * password. */
err_t twofactor_login(ctx *c, user_row *u);

/* *ok: code is uid's current TOTP code (then spent) or an unused recovery code (spent). */
err_t twofactor_check(svc *c, long long uid, const char *code, int *ok);

#endif
