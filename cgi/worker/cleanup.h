/* cleanup.h — the `cleanup` job: deletes data past its keeping time. The worker queues one
 * per hour (idempotency key cleanup:<UTC hour>), so any number of workers queue it once.
 * Today that is finished jobs (done after CLEANUP_DONE_DAYS, failed after
 * CLEANUP_FAILED_DAYS) and audit entries older than PARLEY_AUDIT_DAYS; sessions and other
 * short-lived data expire in Redis by themselves.
 * Idempotent: deleting what is already gone deletes nothing. */
#ifndef PARLEY_CLEANUP_H
#define PARLEY_CLEANUP_H
#include <jansson.h>
#include "../app/svc.h"

#define CLEANUP_DONE_DAYS 7
#define CLEANUP_FAILED_DAYS 30
#define CLEANUP_BATCH 5000          /* rows per statement, so each stays well under the timeout */

extern const db_stmt cleanup_stmts[];

/* The job handler (kinds.h): the payload is ignored ({}). */
err_t cleanup_run(svc *s, json_t *payload, char *why, size_t whylen);
/* The hourly key of job kind for time t: "cleanup:2026-11-28T02" (UTC). */
void cleanup_key(const char *kind, long long t, char *out, size_t outlen);

#endif
