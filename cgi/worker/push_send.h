/* push_send.h — the `push.message` job: one per message (queued by the sending statement,
 * cgi/app/send_jobs.h), fanned out here to every subscription of every member who should hear of
 * it, each encrypted (RFC 8291), VAPID-signed (RFC 8292) and POSTed to its push service. */
#ifndef PARLEY_PUSH_SEND_H
#define PARLEY_PUSH_SEND_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"
#include "kinds.h"

extern const db_stmt push_send_stmts[];

#define PUSH_EXCERPT_CHARS 120   /* characters of the message in a notification */
#define PUSH_TTL 86400           /* seconds a push service keeps an undelivered notification */
#define PUSH_RECHECKS 3          /* later looks at people who were online (each after PARLEY_PRESENCE_AWAY) */

/* push.message {"conversation_id", "seq", "recheck"?, "held"?}. Recipients: members but the sender
 * with a subscription, who have not read the message, have not blocked the sender, are not
 * online in an open tab, and were not sent it already (push_sent: the job may run twice).
 * When some were online, another push.message ("recheck": n, at most PUSH_RECHECKS) looks
 * again after PARLEY_PRESENCE_AWAY seconds: who left without reading it is pushed then. Those
 * inside their do-not-disturb hours are held: another push.message ("held": the hours' end,
 * one per end time) runs then and pushes who has still not read it. A 404 or
 * 410 deletes the subscription; a refused address or another 4xx is recorded on it (shown on
 * the devices page) and not retried; 429, 5xx or no answer fail the job, which is retried
 * with backoff and sends only what was not sent yet. */
err_t push_send_run(svc *s, json_t *payload, char *why, size_t whylen);

/* Both kinds at once (kinds_batch): up to PARLEY_PUSH_BATCH jobs claimed together find
 * their targets one after the other, then every notification of all of them goes out through
 * push_pool_send (push_pool.h: many in flight per push service, connections kept), and each
 * job's outcome is its own: the rules above hold per notification, and a job whose push
 * service asked to wait (Retry-After) is retried no sooner (out[i].retry_after). Two jobs of
 * one batch that would send one subscription the same notification send it once. */
void push_batch_run(svc *s, const char *const *names, json_t *const *payloads, int n, job_outcome *out);

/* push.read {"user_id", "conversation_id", "seq"} (queued by notify_read_queued): each device
 * of the person that was pushed a message of the conversation up to seq, not yet cleared,
 * gets {"type":"read","conv","seq"} (Urgency: low, the same Topic, so it also replaces a
 * notification still waiting at the push service); static/sw.js closes that conversation's
 * notification and shows nothing. Each device once (push_sent.cleared_at). */
err_t push_read_run(svc *s, json_t *payload, char *why, size_t whylen);

/* The notification's JSON (what static/sw.js shows) for a message, into out (malloc'd by
 * jansson; the caller frees). e2e conversations get "New message" and nothing else. */
char *push_payload(const char *kind, const char *title, int e2e, const char *sender, const char *body,
                   long long conv_id, long long seq, const char *base_url);

#endif
