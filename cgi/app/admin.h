/* admin.h — what the rest of Parley asks of the administrators' settings (admin.c). */
#ifndef PARLEY_ADMIN_H
#define PARLEY_ADMIN_H
#include "ctx.h"

/* The registration policy: "open", "invite" or "closed" (static); NULL when PostgreSQL
 * cannot say. */
const char *admin_registration(svc *c);
/* The server's name as its administrators set it ("Parley" until then), in the arena. */
const char *admin_instance_name(svc *c);
/* Spends one use of the invitation whose code is given (inside the caller's transaction);
 * ERR_FORBIDDEN with a message when there is none, it is used up or expired. */
err_t admin_invite_use(svc *c, const char *code);
/* Makes username an administrator (on) or not (`parley admin grant|revoke`, the command
 * line only). ERR_NOT_FOUND when there is no such user. */
err_t admin_grant(svc *c, const char *username, int on);

/* ERR_NOT_FOUND (the usual 404) unless the caller is an administrator. */
err_t admin_require(ctx *c);
/* Deactivates uid: no more sign-ins; every session, token and open stream ends now.
 * Recorded in the audit log as the caller's action. */
err_t admin_deactivate_user(ctx *c, long long uid, size_t *sessions, size_t *tokens);

#endif
