/* invitations.h — group invitations (sql/026_previews_invitations.sql): an owner or admin
 * adding someone who is not their contact, and who does not allow direct messages from
 * everyone, to a group or channel invites them instead of adding them. The invitation is in
 * the invitee's Requests (GET /requests, "invitations") until they accept (they join, as
 * when added), decline (the inviter is not told) or block the inviter. Until then they are
 * no member: no inbox entry, no messages, no events of the conversation, no pushes. */
#ifndef PARLEY_INVITATIONS_H
#define PARLEY_INVITATIONS_H
#include <jansson.h>
#include "ctx.h"
#include "conv.h"

extern const db_stmt invitations_stmts[];

/* From POST /conversations/<id>/members (the caller an owner or admin of cv, u not blocked
 * by them): when u must be asked, records or renews the invitation with role, tells u
 * ("request.changed", state "invited") and sets *invited; otherwise *invited is 0 and the
 * caller adds u at once. A person already a member → 409 already_member. */
err_t invitations_offer(ctx *c, const conv *cv, const user_row *u, const char *role, int *invited);
/* The part of invitations_offer that needs no answer: when u must be asked, records the
 * invitation to conv_id with role and sets *invited (the caller tells u after its commit,
 * requests_changed); otherwise *invited is 0 and the caller adds u. Also for creating a group
 * with members. */
err_t invitations_invite_if_needed(svc *s, long long conv_id, const user_row *u, const char *role, int *invited);
/* The caller's invitations for GET /requests, newest first: [{conversation_id, kind, title,
 * members, role, created_at, inviter}] (a new reference in *out). */
err_t invitations_list(svc *c, json_t **out);
/* A group's or channel's pending invitations, newest first, for its owners and admins (the
 * settings page, GET /conversations/<id>/invitations): [{user, inviter, role, created_at}]
 * (a new reference in *out). */
err_t invitations_pending(svc *c, long long conv_id, json_t **out);

#endif
