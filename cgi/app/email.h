/* email.h — an account's e-mail address (verified by a mailed link) and password reset by
 * e-mail. The mails themselves are `mail.send` jobs (cgi/worker/mail.c), queued in the
 * transaction that causes them; the worker makes each link's token when it sends it, so the
 * token exists only in the mail (PostgreSQL keeps its SHA-256). */
#ifndef PARLEY_EMAIL_H
#define PARLEY_EMAIL_H
#include "ctx.h"

enum { EMAIL_VERIFY_TTL = 86400, EMAIL_RESET_TTL = 1800 };   /* seconds a link is valid */

extern const db_stmt email_stmts[];

/* 1 when this server sends mail: PARLEY_SMTP_URL and PARLEY_URL (for the links) are set. */
int email_enabled(const config *cfg);
/* Sets the caller's address (NULL or "" removes it): stored unverified, and a verification
 * mail queued, unless it is the address already verified. 503 mail_not_configured without
 * mail (removing works anyway), 400 for an address that does not parse, 429 when the
 * address was sent too many mails. *out is the user row after the change (arena). */
err_t email_change(ctx *c, const char *email, user_row **out);
/* Queues the mail.send job of template (verify_email, password_reset, export_ready) to uid
 * at addr, in the caller's transaction if any. */
err_t email_queue(svc *s, const char *template, long long uid, const char *addr);

#endif
