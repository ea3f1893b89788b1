/* requests.h — message requests: the first direct message from someone who is not a
 * contact waits in the recipient's Requests (GET /requests) until they accept, delete or
 * block it. The state is the recipient's membership's (members.request, migration 024). */
#ifndef PARLEY_REQUESTS_H
#define PARLEY_REQUESTS_H
#include "svc.h"
#include "ctx.h"

extern const db_stmt requests_stmts[];

/* Inside conv_direct_open's transaction: a new direct conversation (created) is a request
 * for peer_id unless they are the caller's contact, allow everyone, or have messaged the
 * caller before; an existing one opened by the caller stops being a request for them. */
err_t requests_on_direct_open(svc *c, long long conv_id, long long peer_id, int created);
/* The caller answered in conversation conv_id: it is no longer a request for them. */
err_t requests_clear(svc *c, long long conv_id);
/* Whether uid's membership of conv_id is a pending request (0 when not, or on failure). */
int requests_pending(svc *c, long long conv_id, long long uid);
/* GET /requests: message requests, group invitations (invitations.h) and the setting; also
 * the page's re-render after a failed form there. */
err_t h_requests(ctx *c);
/* The navigation's badges: pending message requests and group invitations, and incoming
 * contact requests. */
err_t requests_counts(svc *c, long long *requests, long long *contact_requests);

/* Shared with invitations.c: a message request and a group invitation are answered alike. */
/* "request.changed" to uid: their conversation list and Requests badge change. */
void requests_changed(svc *c, long long uid, long long conv_id, const char *state);
/* The path's id (into *conv_id) names the caller's request or invitation: stmt ($1 the id, $2
 * the caller) answers the other person's id first and, when extra is given, a short second
 * column copied into it; no row → 404 with the message none. *other is a copy. */
err_t requests_path(ctx *c, const char *stmt, const char *none, long long *conv_id, user_row *other, char *extra,
                    size_t extra_len);
/* Accepted: the answer is the conversation conv_id, and a page goes there. */
err_t requests_open(ctx *c, long long conv_id);
/* Declined or deleted: stmt ($1 conv_id, $2 the caller) drops it, the caller is told
 * ("request.changed", state), 204, and a page goes back to /requests?done=<state>. */
err_t requests_dismiss(ctx *c, const char *stmt, long long conv_id, const char *state);
/* Inside the caller's transaction: the caller blocks other_id, which ends their contact, and
 * drop (2 parameters drop_p) removes what the block answers. */
err_t requests_block_run(svc *c, long long other_id, const char *drop, const char *const drop_p[2]);

#endif
