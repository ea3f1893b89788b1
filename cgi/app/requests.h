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

#endif
