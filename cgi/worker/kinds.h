/* kinds.h — the table of job kinds and their handlers, and the statements a worker's
 * connection prepares. A kind not in the table (queued by a newer version, or by hand) fails
 * visibly with "no handler for kind X" once its attempts are used up.
 * Every handler must be idempotent (see jobs.h): it may run twice for one job. */
#ifndef PARLEY_KINDS_H
#define PARLEY_KINDS_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"

/* Runs one job in the worker thread's service context s (its own PostgreSQL and Redis
 * connections, an arena reset before every job, no acting user), so a handler can publish
 * events after its change committed. payload is the job's JSON object (borrowed). On
 * failure returns an error and writes a one-line reason to why. */
typedef err_t (*kind_fn)(svc *s, json_t *payload, char *why, size_t whylen);

/* What one job of a batch came to: e as a handler returns it, why when it failed, and at
 * least how many seconds a retry must wait (a push service's Retry-After; 0: the backoff). */
typedef struct job_outcome {
    err_t e;
    long retry_after;
    char why[512];
} job_outcome;
/* Runs n jobs at once (kinds[i], payloads[i] borrowed) and fills out[0..n): for kinds whose
 * work is mostly waiting on the network (Web Push), claimed together (runner.c). */
typedef void (*kind_batch_fn)(svc *s, const char *const *kinds, json_t *const *payloads, int n, job_outcome *out);

typedef struct job_kind {
    const char *name;
    kind_fn run;
    const char *about;      /* one line for `parley jobs` help and the logs */
    kind_fn gave_up;        /* optional: runs once when a job failed for good (its last attempt),
                               so what it stood for does not wait forever; NULL: nothing */
} job_kind;

extern const job_kind kinds[];                 /* {NULL, …}-terminated */
/* Every statement table the worker and `parley jobs` may run: the worker's own and every
 * module's (NULL-terminated; built once, never freed). */
const db_stmt *const *kinds_stmts(void);

const job_kind *kinds_find(const char *name);  /* NULL when no handler */
/* The batch handler of kind name (NULL: it runs one job at a time), and in *names the kinds
 * that share it as a PostgreSQL text[] literal ("{push.message,push.read}"; cap bytes). */
kind_batch_fn kinds_batch(const char *name, char *names, size_t cap);

#endif
