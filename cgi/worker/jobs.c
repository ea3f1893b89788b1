/* jobs.c — see jobs.h. */
#include "jobs.h"
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "../core/log.h"

/* NOTIFY only when no other job is ready: a committing transaction with a pending NOTIFY
 * holds PostgreSQL's global notify lock until its commit is durable, so notifying on every
 * enqueue would serialise the commits of every busy writer. When a job is already ready the
 * workers are awake or about to poll, and they drain the queue before sleeping again. */
const db_stmt jobs_enqueue_stmts[] = {
    {"jobs_enqueue",
     "WITH ins AS (INSERT INTO jobs (kind, payload, idem_key, max_attempts)"
     "             VALUES ($1, $2::jsonb, $3, $4::int) ON CONFLICT (idem_key) DO NOTHING RETURNING id),"
     " wake AS (SELECT pg_notify('" JOBS_CHANNEL "', '') FROM ins"
     "          WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued' AND run_after <= now()))"
     " SELECT ins.id, (SELECT count(*) FROM wake) FROM ins"},
    {NULL, NULL},
};

const db_stmt jobs_stmts[] = {
    {"jobs_listen", "LISTEN " JOBS_CHANNEL},
    /* The oldest ready job; SKIP LOCKED lets concurrent claimers pass each other's rows. */
    {"jobs_claim",
     "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_at = now()"
     " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= now()"
     "             ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
     " RETURNING id, kind, payload::text, attempts, max_attempts"},
    {"jobs_reclaim",
     "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
     "  finished_at = CASE WHEN attempts >= max_attempts THEN now() END, run_after = now(),"
     "  last_error = 'lease expired: ' || coalesce(locked_by, '?') || ' stopped during attempt ' || attempts"
     " WHERE state = 'running' AND locked_at < now() - make_interval(secs => $1::int)"
     " RETURNING id"},
    /* Finish and fail touch the job only while this run still owns it. */
    {"jobs_finish",
     "UPDATE jobs SET state = 'done', finished_at = now()"
     " WHERE id = $1::bigint AND state = 'running' AND locked_by = $2 AND attempts = $3::int"
     " RETURNING id"},
    /* A long job renews its lease (jobs_touch). */
    {"jobs_touch",
     "UPDATE jobs SET locked_at = now()"
     " WHERE id = $1::bigint AND state = 'running' AND locked_by = $2 AND attempts = $3::int"
     " RETURNING id"},
    {"jobs_fail",
     "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
     "  finished_at = CASE WHEN attempts >= max_attempts THEN now() END,"
     "  run_after = CASE WHEN attempts >= max_attempts THEN run_after ELSE now() + make_interval(secs => $4::int) END,"
     "  last_error = $5"
     " WHERE id = $1::bigint AND state = 'running' AND locked_by = $2 AND attempts = $3::int"
     " RETURNING state"},
    /* Milliseconds until the next queued job is due (NULL: none), so retries run on time. */
    {"jobs_next",
     "SELECT (extract(epoch FROM min(run_after) - now()) * 1000)::bigint FROM jobs WHERE state = 'queued'"},
    {"jobs_list",
     "SELECT id, kind, state, attempts, max_attempts, " DB_TS("run_after") ", " DB_TS("created_at") ","
     "  coalesce(locked_by, ''), coalesce(last_error, '')"
     " FROM jobs WHERE NOT $1::boolean OR state = 'failed' ORDER BY id DESC LIMIT $2::int"},
    {"jobs_retry",
     "WITH j AS (SELECT id, state FROM jobs WHERE id = $1::bigint FOR UPDATE),"
     " u AS (UPDATE jobs SET state = 'queued', attempts = 0, run_after = now(), finished_at = NULL"
     "       FROM j WHERE jobs.id = j.id AND j.state IN ('failed', 'queued') RETURNING jobs.id),"
     " w AS (SELECT pg_notify('" JOBS_CHANNEL "', '') FROM u)"
     " SELECT j.state, (SELECT count(*) FROM w) FROM j"},
    {"jobs_drop",
     "WITH j AS (SELECT id, state FROM jobs WHERE id = $1::bigint FOR UPDATE),"
     " d AS (DELETE FROM jobs USING j WHERE jobs.id = j.id AND j.state <> 'running' RETURNING jobs.id)"
     " SELECT j.state, (SELECT count(*) FROM d) FROM j"},
    /* More ready jobs of the kinds $2 (a text[]), at most $3, for a handler that runs them
     * together (Web Push): the same claim as jobs_claim, many rows at once. */
    {"jobs_claim_batch",
     "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_at = now()"
     " WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= now() AND kind = ANY($2::text[])"
     "              ORDER BY run_after, id LIMIT $3::int FOR UPDATE SKIP LOCKED)"
     " RETURNING id, kind, payload::text, attempts, max_attempts"},
    {NULL, NULL},
};

int jobs_kind_valid(const char *kind)
{
    if (!kind || !(*kind >= 'a' && *kind <= 'z')) return 0;
    size_t n = 0;
    for (const char *p = kind; *p; p++, n++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
            return 0;
    return n <= JOBS_KIND_MAX;
}

int jobs_key_valid(const char *key)
{
    if (!key || !*key) return 0;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++, n++)
        if (*p < 0x20 || *p > 0x7e) return 0;
    return n <= JOBS_KEY_MAX;
}

const char *jobs_payload_check(const char *json)
{
    if (!json) return "payload is missing";
    if (strlen(json) > JOBS_PAYLOAD_MAX) return "payload is larger than 64 KiB";
    json_error_t je;
    json_t *v = json_loads(json, JSON_REJECT_DUPLICATES, &je);   /* rejects \u0000 and bad UTF-8 */
    if (!v) return "payload is not valid JSON";
    int obj = json_is_object(v);
    json_decref(v);
    return obj ? NULL : "payload must be a JSON object";
}

long jobs_backoff(int attempts, long base, unsigned jitter)
{
    if (base < 1) base = 1;
    if (attempts < 1) attempts = 1;
    long d = base;
    for (int i = 1; i < attempts && d < JOBS_BACKOFF_CAP; i++) d *= 2;
    if (d > JOBS_BACKOFF_CAP) d = JOBS_BACKOFF_CAP;
    d += (long)(jitter % (unsigned long)(d / 4 + 1));
    return d > JOBS_BACKOFF_CAP ? JOBS_BACKOFF_CAP : d;
}

err_t jobs_enqueue(db *d, const char *kind, const char *payload, const char *key, int max_attempts,
                   long long *id)
{
    *id = 0;
    if (!payload) payload = "{}";
    if (!jobs_kind_valid(kind) || jobs_payload_check(payload) || (key && !jobs_key_valid(key)) ||
        max_attempts < 0 || max_attempts > 100)
        return ERR_INVALID_FIELD;
    char attempts[16];
    snprintf(attempts, sizeof attempts, "%d", max_attempts ? max_attempts : JOBS_MAX_ATTEMPTS);
    const char *p[] = {kind, payload, key, attempts};
    PGresult *r;
    err_t e = db_exec(d, "jobs_enqueue", 4, p, &r);
    if (e) return e;
    if (PQntuples(r) == 1) *id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return ERR_OK;
}

err_t jobs_reclaim(db *d, long lease_s, int *n)
{
    char lease[24];
    snprintf(lease, sizeof lease, "%ld", lease_s);
    const char *p[] = {lease};
    PGresult *r;
    *n = 0;
    err_t e = db_exec(d, "jobs_reclaim", 1, p, &r);
    if (e) return e;
    *n = PQntuples(r);
    for (int i = 0; i < *n; i++) log_warn("jobs: job %s: lease expired, queued again", PQgetvalue(r, i, 0));
    PQclear(r);
    return ERR_OK;
}

err_t jobs_claim(db *d, const char *owner, job *j, int *got)
{
    const char *p[] = {owner};
    PGresult *r;
    *got = 0;
    memset(j, 0, sizeof *j);
    err_t e = db_exec(d, "jobs_claim", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) == 1) {
        j->id = atoll(PQgetvalue(r, 0, 0));
        snprintf(j->kind, sizeof j->kind, "%s", PQgetvalue(r, 0, 1));
        j->payload = strdup(PQgetvalue(r, 0, 2));
        j->attempts = atoi(PQgetvalue(r, 0, 3));
        j->max_attempts = atoi(PQgetvalue(r, 0, 4));
        snprintf(j->owner, sizeof j->owner, "%s", owner);
        *got = 1;
    }
    PQclear(r);
    if (*got && !j->payload) {       /* out of memory: its lease will bring it back */
        *got = 0;
        return ERR_INTERNAL;
    }
    return ERR_OK;
}

err_t jobs_claim_batch(db *d, const char *owner, const char *kinds, int max, job *js, int *got)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", max);
    const char *p[] = {owner, kinds, lim};
    PGresult *r;
    *got = 0;
    if (max < 1) return ERR_OK;
    err_t e = db_exec(d, "jobs_claim_batch", 3, p, &r);
    if (e) return e;
    int n = PQntuples(r);
    for (int i = 0; i < n && i < max; i++) {
        job *j = &js[*got];
        memset(j, 0, sizeof *j);
        j->id = atoll(PQgetvalue(r, i, 0));
        snprintf(j->kind, sizeof j->kind, "%s", PQgetvalue(r, i, 1));
        j->payload = strdup(PQgetvalue(r, i, 2));
        j->attempts = atoi(PQgetvalue(r, i, 3));
        j->max_attempts = atoi(PQgetvalue(r, i, 4));
        snprintf(j->owner, sizeof j->owner, "%s", owner);
        if (j->payload) (*got)++;      /* out of memory: its lease will bring it back */
    }
    PQclear(r);
    return ERR_OK;
}

err_t jobs_next_ms(db *d, long max_ms, long *ms)
{
    PGresult *r;
    *ms = max_ms;
    err_t e = db_exec(d, "jobs_next", 0, NULL, &r);
    if (e) return e;
    if (!PQgetisnull(r, 0, 0)) {
        long long v = atoll(PQgetvalue(r, 0, 0));
        *ms = v < 0 ? 0 : v < max_ms ? (long)v : max_ms;
    }
    PQclear(r);
    return ERR_OK;
}

void job_clear(job *j)
{
    free(j->payload);
    memset(j, 0, sizeof *j);
}

/* Runs finish or fail for this run of j: params id, owner, attempt, then extra ones. */
static err_t jobs_settle(db *d, const char *stmt, const job *j, const char *delay, const char *why,
                         int *kept, int *final)
{
    char id[24], attempt[16];
    snprintf(id, sizeof id, "%lld", j->id);
    snprintf(attempt, sizeof attempt, "%d", j->attempts);
    const char *p[] = {id, j->owner, attempt, delay, why};
    PGresult *r;
    *kept = 0;
    if (final) *final = 0;
    err_t e = db_exec(d, stmt, delay ? 5 : 3, p, &r);
    if (e) return e;
    *kept = PQntuples(r) == 1;
    if (*kept && final) *final = !strcmp(PQgetvalue(r, 0, 0), "failed");
    PQclear(r);
    return ERR_OK;
}

err_t jobs_finish(db *d, const job *j, int *kept)
{
    return jobs_settle(d, "jobs_finish", j, NULL, NULL, kept, NULL);
}

err_t jobs_touch(db *d, const job *j, int *kept)
{
    return jobs_settle(d, "jobs_touch", j, NULL, NULL, kept, NULL);
}

err_t jobs_fail(db *d, const job *j, const char *why, long delay_s, int *kept, int *final)
{
    char delay[24];
    snprintf(delay, sizeof delay, "%ld", delay_s);
    return jobs_settle(d, "jobs_fail", j, delay, why ? why : "failed", kept, final);
}

err_t jobs_list(db *d, int failed_only, int limit, FILE *out)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {failed_only ? "true" : "false", lim};
    PGresult *r;
    err_t e = db_exec(d, "jobs_list", 2, p, &r);
    if (e) return e;
    fprintf(out, "%-8s %-16s %-8s %-8s %-20s %-20s %s\n", "ID", "KIND", "STATE", "ATTEMPTS", "RUN AFTER",
            "CREATED", "LAST ERROR");
    for (int i = 0; i < PQntuples(r); i++) {
        char att[24];
        snprintf(att, sizeof att, "%s/%s", PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
        fprintf(out, "%-8s %-16s %-8s %-8s %-20s %-20s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                PQgetvalue(r, i, 2), att, PQgetvalue(r, i, 5), PQgetvalue(r, i, 6), PQgetvalue(r, i, 8));
    }
    PQclear(r);
    return ERR_OK;
}

/* retry and drop: one statement that answers the job's state and whether it changed. */
static err_t jobs_change(db *d, const char *stmt, long long id)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {ids};
    PGresult *r;
    err_t e = db_exec(d, stmt, 1, p, &r);
    if (e) return e;
    e = PQntuples(r) != 1 ? ERR_NOT_FOUND : strcmp(PQgetvalue(r, 0, 1), "0") ? ERR_OK : ERR_NOT_ALLOWED;
    PQclear(r);
    return e;
}

err_t jobs_retry(db *d, long long id) { return jobs_change(d, "jobs_retry", id); }
err_t jobs_drop(db *d, long long id) { return jobs_change(d, "jobs_drop", id); }
