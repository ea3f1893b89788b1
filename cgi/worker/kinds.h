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

typedef struct job_kind {
    const char *name;
    kind_fn run;
    const char *about;      /* one line for `parley jobs` help and the logs */
} job_kind;

extern const job_kind kinds[];                 /* {NULL, …}-terminated */
/* Every statement table the worker and `parley jobs` may run: the worker's own and every
 * module's (NULL-terminated; built once, never freed). */
const db_stmt *const *kinds_stmts(void);

const job_kind *kinds_find(const char *name);  /* NULL when no handler */

#endif
