/* push.h — Web Push subscriptions (routes in push.c) and the one hook the send path calls.
 * The sending itself is parley-worker's (cgi/worker/push_send.c). */
#ifndef PARLEY_PUSH_H
#define PARLEY_PUSH_H
#include "svc.h"
#include "conv.h"

#define PUSH_MAX_PER_USER 20     /* devices per account */

extern const db_stmt push_stmts[];

typedef struct ctx ctx;
/* GET /push/subscriptions: the Notifications page's data (also its forms' refill). */
err_t push_page(ctx *c);
/* 1 when this server sends Web Push (VAPID keys configured). */
int push_enabled(const config *cfg);
/* After the caller read cv up to read_seq: when a device of theirs was pushed a message up
 * to there that no read notice cleared yet, queues ONE job "push.read" that tells those
 * devices (static/sw.js closes the notification). Failures are logged, not returned. */
void notify_read_queued(svc *c, const conv *cv, long long read_seq);

#endif
