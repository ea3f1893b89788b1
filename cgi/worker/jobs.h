/* jobs.h — the durable job queue in PostgreSQL (table `jobs`, sql/005_jobs.sql).
 *
 * The outbox rule: enqueue a job with jobs_enqueue on the SAME connection and inside the SAME
 * transaction as the change that causes it, so a committed change always has its jobs and a
 * rolled-back one never does. A connection that enqueues lists jobs_enqueue_stmts in its
 * statement tables.
 *
 * The idempotency rule: EVERY job handler must be idempotent. A worker killed after the
 * handler's effect but before jobs_finish committed leaves the job `running`; once its lease
 * (PARLEY_JOB_LEASE) has expired another worker runs it again. A handler that sends something
 * outside PostgreSQL (mail, push, webhook) must therefore tolerate being run twice, e.g. by
 * checking and recording what it already did, or by sending an idempotency key.
 *
 * States: queued → running → done, or → queued again (after a failure, at run_after with
 * exponential backoff), or → failed once attempts reach max_attempts. Failed jobs stay in the
 * table (`parley jobs list --failed`) until retried, dropped or cleaned up after 30 days.
 * Functions take a plain `db *` so they run in any program: the page server, the CLI, the
 * worker. */
#ifndef PARLEY_JOBS_H
#define PARLEY_JOBS_H
#include <stdio.h>
#include "../store/db.h"

#define JOBS_CHANNEL "parley_jobs"      /* the NOTIFY channel that wakes the workers */
#define JOBS_MAX_ATTEMPTS 8             /* default attempts before a job is failed for good */
#define JOBS_PAYLOAD_MAX 65536          /* bytes of payload JSON */
#define JOBS_KIND_MAX 64
#define JOBS_KEY_MAX 200                /* idempotency key, bytes */
#define JOBS_OWNER_MAX 96
#define JOBS_BACKOFF_CAP 21600          /* no retry waits longer than 6 hours */

typedef struct job {
    long long id;
    char kind[JOBS_KIND_MAX + 1];
    char *payload;                      /* JSON object text, malloc'd; job_clear frees it */
    int attempts;                       /* including this run */
    int max_attempts;
    char owner[JOBS_OWNER_MAX];         /* locked_by of this run */
} job;

extern const db_stmt jobs_enqueue_stmts[];   /* for every connection that enqueues */
extern const db_stmt jobs_stmts[];           /* the worker's and the CLI's: claim, finish, … */

/* Pure checks (no I/O). A kind is ^[a-z][a-z0-9_.-]{0,63}$; a key 1-200 printable ASCII. */
int jobs_kind_valid(const char *kind);
int jobs_key_valid(const char *key);
/* NULL when json is a JSON object of at most JOBS_PAYLOAD_MAX bytes; else why not. */
const char *jobs_payload_check(const char *json);
/* Seconds to wait before the next attempt after `attempts` failed ones (1, 2, …):
 * base · 2^(attempts-1), plus up to a quarter more from jitter (any value; callers pass
 * a random one so failed jobs do not retry in lockstep), capped at JOBS_BACKOFF_CAP. */
long jobs_backoff(int attempts, long base, unsigned jitter);

/* Queues a job (inside the caller's transaction, if any). payload NULL means {}; key NULL
 * means none; max_attempts 0 means JOBS_MAX_ATTEMPTS. *id is the new job's id, or 0 when a
 * job with this key already exists (nothing queued). Wakes the workers with a NOTIFY only
 * when no other job is ready (see docs/ARCHITECTURE.md, "parley-worker"). Bad input gives
 * ERR_INVALID_FIELD. */
err_t jobs_enqueue(db *d, const char *kind, const char *payload, const char *key, int max_attempts,
                   long long *id);

/* Worker side. jobs_reclaim puts running jobs whose lease (lease_s seconds) expired back in
 * the queue (or fails them when out of attempts); *n how many. jobs_claim takes the oldest
 * ready job for owner (*got 0 when none); on *got the caller owns j and calls job_clear. */
err_t jobs_reclaim(db *d, long lease_s, int *n);
err_t jobs_claim(db *d, const char *owner, job *j, int *got);
void job_clear(job *j);
/* Claims up to max more ready jobs whose kind is in kinds (a PostgreSQL text[] literal like
 * "{push.message,push.read}") into js[0..*got), each as jobs_claim would; the caller owns
 * them and calls job_clear on each. */
err_t jobs_claim_batch(db *d, const char *owner, const char *kinds, int max, job *js, int *got);
/* *ms: milliseconds until the next queued job is due, from 0 to max_ms (max_ms when none). */
err_t jobs_next_ms(db *d, long max_ms, long *ms);
/* Both change the job only while this run still owns it (same owner and attempt); *kept is
 * 0 when it did not (its lease expired and another worker took it). jobs_fail queues it
 * again after delay_s, or fails it for good when out of attempts (*final = 1). */
err_t jobs_finish(db *d, const job *j, int *kept);
/* Renews this run's lease (locked_at = now) while it still owns the job: for handlers that
 * may run longer than the lease (see runner_keepalive). */
err_t jobs_touch(db *d, const job *j, int *kept);
err_t jobs_fail(db *d, const job *j, const char *why, long delay_s, int *kept, int *final);

/* Operator side (`parley jobs`). list prints up to limit jobs, newest first, to out.
 * retry: a failed or queued job runs again now with a fresh count of attempts; drop deletes
 * a job that is not running. Both: ERR_NOT_FOUND (no such job), ERR_NOT_ALLOWED (its state
 * forbids it). */
err_t jobs_list(db *d, int failed_only, int limit, FILE *out);
err_t jobs_retry(db *d, long long id);
err_t jobs_drop(db *d, long long id);

#endif
