/* hooks.h — incoming webhooks: a conversation's owners and admins make a secret URL
 * (POST /hooks/<secret>, Slack-compatible {"text"}) that posts as the webhook's own bot
 * account, a member of the conversation. PostgreSQL keeps only the SHA-256 of the secret. */
#ifndef PARLEY_HOOKS_H
#define PARLEY_HOOKS_H
#include "conv.h"
#include "secret.h"

enum { HOOK_SECRET_LEN = 4 + SECRET_LEN };   /* "whk_" + the secret */
enum { HOOKS_USERNAME_MAX = 80 };             /* characters of a post's "username" (messages.sender_name) */

extern const db_stmt hooks_stmts[];

/* Makes a bot account for a webhook or a person: is_bot, no usable password, owner_id
 * (0: none, a webhook's). username must be canonical. *out lives in the arena. */
err_t hooks_bot_create(svc *c, const char *username, const char *display_name, long long owner_id, user_row **out);
/* The webhooks page (GET /conversations/<id>/webhooks): its data merged into c->out:
 * {"conversation","webhooks","outgoing"}. hooks_page checks the caller manages the path's
 * conversation first (the refill of the page's forms). */
err_t hooks_page_out(ctx *c, const conv *cv);
err_t hooks_page(ctx *c);
/* Revokes the webhook named by the path's hook_id in cv (stmt: "hooks_delete" or
 * "hooks_out_delete", each returning its bot's id and name): its bot leaves the conversation
 * (its messages stay), audited as audit_kind; 204, or a redirect to the webhooks page. */
err_t hooks_revoke(ctx *c, const conv *cv, const char *stmt, const char *audit_kind);

#endif
