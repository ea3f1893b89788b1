/* twofactor.h — what the login asks of two-factor sign-in (twofactor.c). */
#ifndef PARLEY_TWOFACTOR_H
#define PARLEY_TWOFACTOR_H
#include "ctx.h"

/* *on: uid has two-factor sign-in turned on (set up and confirmed). */
err_t twofactor_enabled(svc *c, long long uid, int *on);
/* Instead of a session: a ticket for the second step (5 minutes, 5 tries), answered as
 * {"two_factor_required":true,"ticket"}; pages show the code form. */
err_t twofactor_ticket(ctx *c, user_row *u);

#endif
