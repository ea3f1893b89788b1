/* runner.h — one worker thread: its own PostgreSQL and Redis connections and an arena (the
 * service context each job runs in), LISTEN for new jobs, reclaim expired leases, claim and
 * run jobs until none is ready, then sleep until a NOTIFY, the poll interval or the stop
 * signal. Thread 0 of each process also queues the hourly cleanup, media.cleanup,
 * export.cleanup and retention (deduplicated by their idempotency keys across all workers),
 * and merges the search indexes' pending lists every few seconds (search_flush.h). */
#ifndef PARLEY_RUNNER_H
#define PARLEY_RUNNER_H
#include <stdatomic.h>
#include "../core/config.h"
#include "jobs.h"

typedef struct runner {
    const config *cfg;          /* borrowed, read-only */
    int index;                  /* thread number in this process, from 0 */
    char owner[JOBS_OWNER_MAX]; /* locked_by of this thread's runs: host:pid/index */
    long test_delay_ms;         /* test hook: wait this long after claiming, before running */
    int wake_fd;                /* readable once the process is stopping */
    atomic_int *stopping;       /* set once the process is stopping: finish the job, then exit */
} runner;

void *runner_main(void *arg);
/* For a handler that works longer than a few seconds (an export): renews the lease of the
 * job this thread runs when a third of PARLEY_JOB_LEASE has passed since the last renewal.
 * Outside a worker thread (the command line) it does nothing. Never inside a transaction. */
void runner_keepalive(db *d);   /* arg: runner *, owned by the caller for the thread's life */

#endif
