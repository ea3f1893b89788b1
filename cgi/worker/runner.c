/* runner.c — see runner.h. */
#include "runner.h"
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
#include "../core/log.h"
#include "cleanup.h"
#include "kinds.h"
#include "search_flush.h"
#include "../core/clock.h"

#define RUNNER_SCHEDULE_S 600    /* how often thread 0 offers this hour's cleanup */

/* The jobs this thread runs, for runner_keepalive (none between jobs and outside workers):
 * one, or a batch (runner_batch). Borrowed from the loop that claimed them. */
static __thread const job *runner_job;
static __thread int runner_njobs;
static __thread long long runner_renewed_ms;
static __thread long runner_lease_s;

void runner_keepalive(db *d)
{
    if (!runner_job || clock_now_ms() - runner_renewed_ms < runner_lease_s * 1000L / 3) return;
    for (int i = 0; i < runner_njobs; i++) {
        int kept = 0;
        if (jobs_touch(d, &runner_job[i], &kept) == ERR_OK) runner_renewed_ms = clock_now_ms();
        if (!kept) log_warn("jobs: job %lld %s: could not renew its lease", runner_job[i].id, runner_job[i].kind);
    }
}

/* Sleeps up to ms, less when the process starts stopping. */
static void runner_nap(runner *r, long ms)
{
    struct pollfd p = {.fd = r->wake_fd, .events = POLLIN};
    if (ms > 0) poll(&p, 1, (int)ms);
}

/* Runs j's handler in s; on failure why holds the reason. */
static err_t runner_exec(svc *s, const job *j, char *why, size_t whylen)
{
    db *d = s->db;
    const job_kind *k = kinds_find(j->kind);
    if (!k) {
        snprintf(why, whylen, "no handler for kind %s", j->kind);
        return ERR_NOT_FOUND;
    }
    json_t *payload = json_loads(j->payload, 0, NULL);
    if (!payload) {
        snprintf(why, whylen, "payload is not JSON");
        return ERR_INVALID_JSON;
    }
    why[0] = '\0';
    err_t e = k->run(s, payload, why, whylen);
    json_decref(payload);
    if (e && !why[0]) snprintf(why, whylen, "%s", err_lookup(e)->message);
    /* A handler that failed inside a transaction must not leave it open for the next job. */
    if (d->conn && PQtransactionStatus(d->conn) != PQTRANS_IDLE) db_rollback(d);
    return e;
}

/* Records the outcome; a lost connection is retried until the lease would run out, after
 * which the job is another worker's anyway. 1 when the job has now failed for good. */
static int runner_settle(runner *r, db *d, const job *j, err_t outcome, const char *why, long ms, long min_delay)
{
    long delay = jobs_backoff(j->attempts, r->cfg->job_backoff, randombytes_random());
    if (delay < min_delay) delay = min_delay;       /* a push service's Retry-After */
    long long until = clock_now_ms() + r->cfg->job_lease * 1000L;
    int kept = 0, final = 0;
    err_t e;
    for (;;) {
        e = outcome ? jobs_fail(d, j, why, delay, &kept, &final) : jobs_finish(d, j, &kept);
        if (e != ERR_UNAVAILABLE || clock_now_ms() > until) break;
        runner_nap(r, 1000);
    }
    if (e)
        log_error("jobs: job %lld %s: could not record its outcome; its lease will bring it back", j->id, j->kind);
    else if (!kept)
        log_warn("jobs: job %lld %s: lease lost before it finished; another worker took it", j->id, j->kind);
    else if (!outcome)
        log_info("jobs: job %lld %s done by %s (attempt %d, %ld ms)", j->id, j->kind, j->owner, j->attempts, ms);
    else if (final)
        log_warn("jobs: job %lld %s failed for good after %d attempts: %s", j->id, j->kind, j->attempts, why);
    else
        log_warn("jobs: job %lld %s failed (attempt %d of %d): %s; retry in %ld s", j->id, j->kind, j->attempts,
                 j->max_attempts, why, delay);
    return !e && kept && outcome && final;
}

/* A job that failed for good: its kind's gave_up handler, if it has one (kinds.h). */
static void runner_gave_up(svc *s, const job *j)
{
    const job_kind *k = kinds_find(j->kind);
    json_t *payload = k && k->gave_up ? json_loads(j->payload, 0, NULL) : NULL;
    if (!payload) return;
    char why[512] = "";
    if (k->gave_up(s, payload, why, sizeof why))
        log_warn("jobs: job %lld %s: after its last attempt: %s", j->id, j->kind, why[0] ? why : "failed");
    json_decref(payload);
    if (s->db->conn && PQtransactionStatus(s->db->conn) != PQTRANS_IDLE) db_rollback(s->db);
}

/* Runs j with a fresh arena: what one job allocated there is gone before the next. */
static void runner_one(runner *r, db *d, kv *k, arena *a, job *j)
{
    if (r->test_delay_ms) runner_nap(r, r->test_delay_ms);
    char why[512];
    long long t0 = clock_now_ms();
    arena_reset(a);
    svc s = {.cfg = r->cfg, .db = d, .kv = k, .a = a};
    runner_job = j;
    runner_njobs = 1;
    runner_renewed_ms = t0;
    runner_lease_s = r->cfg->job_lease;
    err_t e = runner_exec(&s, j, why, sizeof why);
    runner_job = NULL;
    runner_njobs = 0;
    if (runner_settle(r, d, j, e, why, (long)(clock_now_ms() - t0), 0)) runner_gave_up(&s, j);
}

/* js[0] was just claimed and its kind runs in batches (kinds_batch): claims up to
 * PARLEY_PUSH_BATCH - 1 more ready jobs of the kinds in kinds_lit, runs them all in
 * one call, and settles each by its own outcome. Job structs go in js (capacity cap). */
static void runner_batch(runner *r, db *d, kv *k, arena *a, kind_batch_fn batch, const char *kinds_lit, job *js,
                         int cap)
{
    int n = 1, more = 0;
    if (cap > 1 && jobs_claim_batch(d, r->owner, kinds_lit, cap - 1, js + 1, &more) == ERR_OK) n += more;
    if (r->test_delay_ms) runner_nap(r, r->test_delay_ms);
    long long t0 = clock_now_ms();
    arena_reset(a);
    svc s = {.cfg = r->cfg, .db = d, .kv = k, .a = a};
    const char **names = calloc((size_t)n, sizeof *names);
    json_t **payloads = calloc((size_t)n, sizeof *payloads);
    job_outcome *out = calloc((size_t)n, sizeof *out);
    int *live = calloc((size_t)n, sizeof *live);        /* index into the handler's arrays, or -1 */
    int m = 0;
    if (names && payloads && out && live) {
        for (int i = 0; i < n; i++) {
            json_t *p = json_loads(js[i].payload, 0, NULL);
            live[i] = -1;
            if (!p) continue;
            names[m] = js[i].kind;
            payloads[m] = p;
            live[i] = m++;
        }
        runner_job = js;
        runner_njobs = n;
        runner_renewed_ms = t0;
        runner_lease_s = r->cfg->job_lease;
        if (m) batch(&s, names, payloads, m, out);
        runner_job = NULL;
        runner_njobs = 0;
        if (d->conn && PQtransactionStatus(d->conn) != PQTRANS_IDLE) db_rollback(d);
    }
    long ms = (long)(clock_now_ms() - t0);
    for (int i = 0; i < n; i++) {
        int final;
        if (!live || live[i] < 0) {
            final = runner_settle(r, d, &js[i], live ? ERR_INVALID_JSON : ERR_INTERNAL,
                                  live ? "payload is not JSON" : "out of memory", ms, 0);
        } else {
            job_outcome *o = &out[live[i]];
            if (o->e && !o->why[0]) snprintf(o->why, sizeof o->why, "%s", err_lookup(o->e)->message);
            final = runner_settle(r, d, &js[i], o->e, o->why, ms, o->retry_after);
        }
        if (final) runner_gave_up(&s, &js[i]);       /* a batched kind may name one too */
        job_clear(&js[i]);
    }
    for (int i = 0; payloads && i < m; i++) json_decref(payloads[i]);
    free(names);
    free(payloads);
    free(out);
    free(live);
}

/* Queues this hour's clean-ups; the keys make every other worker's offer a no-op. */
static void runner_schedule(db *d)
{
    static const char *const hourly[] = {"cleanup", "media.cleanup", "export.cleanup", "retention", NULL};
    for (int i = 0; hourly[i]; i++) {
        char key[80];
        long long id;
        cleanup_key(hourly[i], (long long)time(NULL), key, sizeof key);
        if (jobs_enqueue(d, hourly[i], "{}", key, 0, &id) == ERR_OK && id)
            log_info("jobs: queued job %lld %s (%s)", id, hourly[i], key);
    }
}

/* Thread 0 merges the search indexes' pending lists when due (search_flush.h). */
static void runner_flush(runner *r, db *d, long long *next)
{
    if (r->index != 0 || clock_now_ms() < *next) return;
    search_flush(d);
    *next = clock_now_ms() + SEARCH_FLUSH_MS;
}

void *runner_main(void *arg)
{
    runner *r = arg;
    db d;
    kv k;                       /* Redis, for the events handlers publish */
    arena a;                    /* the jobs' scratch memory, reset before each */
    db_init(&d, r->cfg->db, r->cfg->backend_timeout_ms, kinds_stmts());
    kv_init(&k, r->cfg->redis, r->cfg->backend_timeout_ms);
    arena_init(&a);
    long long next_schedule = 0, next_flush = 0;
    int was_down = 0;
    while (!atomic_load(r->stopping)) {
        /* LISTEN again every round: a reconnect forgets it, and it must precede the claim so
         * a job queued after an empty claim still wakes us. */
        if (db_ensure(&d) || db_run(&d, "jobs_listen", 0, NULL)) {
            if (!was_down) log_warn("jobs: worker %s: PostgreSQL unavailable, retrying", r->owner);
            was_down = 1;
            runner_nap(r, 1000);
            continue;
        }
        if (was_down) log_info("jobs: worker %s: PostgreSQL is back", r->owner);
        was_down = 0;
        if (r->index == 0 && clock_now_ms() >= next_schedule) {
            runner_schedule(&d);
            next_schedule = clock_now_ms() + RUNNER_SCHEDULE_S * 1000LL;
        }
        runner_flush(r, &d, &next_flush);
        int n;
        err_t e = jobs_reclaim(&d, r->cfg->job_lease, &n);
        while (!e && !atomic_load(r->stopping)) {
            job j;
            int got;
            if ((e = jobs_claim(&d, r->owner, &j, &got)) || !got) break;
            char kinds_lit[256];
            kind_batch_fn batch = kinds_batch(j.kind, kinds_lit, sizeof kinds_lit);
            job *js = batch ? calloc((size_t)r->cfg->push_batch, sizeof *js) : NULL;
            if (js) {                    /* Web Push: many jobs, one round of sending */
                js[0] = j;
                runner_batch(r, &d, &k, &a, batch, kinds_lit, js, (int)r->cfg->push_batch);
                free(js);
                continue;
            }
            runner_one(r, &d, &k, &a, &j);
            job_clear(&j);
            runner_flush(r, &d, &next_flush);         /* also while jobs keep coming */
        }
        long wait_ms = r->cfg->job_poll * 1000L;
        if (!e) e = jobs_next_ms(&d, wait_ms, &wait_ms);    /* a retry due sooner than the poll */
        if (e) { runner_nap(r, 1000); continue; }
        /* Thread 0 wakes for its merges too, and then only merges and waits on: jobs are
         * claimed after a NOTIFY, the poll or a retry's time, as on every other thread. */
        for (long long until = clock_now_ms() + wait_ms; !atomic_load(r->stopping);) {
            long long now = clock_now_ms(), slice = until - now;
            if (slice <= 0) break;
            if (r->index == 0 && next_flush - now < slice) slice = next_flush > now ? next_flush - now : 0;
            if (db_wait_notify(&d, (long)slice, r->wake_fd) != 0 || clock_now_ms() >= until) break;
            runner_flush(r, &d, &next_flush);
        }
    }
    db_close(&d);
    kv_close(&k);
    arena_free(&a);
    return NULL;
}
