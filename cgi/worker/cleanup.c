/* cleanup.c — see cleanup.h. */
#include "cleanup.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../core/log.h"

#define CLEANUP_STR2(x) #x
#define CLEANUP_STR(x) CLEANUP_STR2(x)

const db_stmt cleanup_stmts[] = {
    {"cleanup_jobs",
     "WITH d AS (DELETE FROM jobs WHERE id IN ("
     "   SELECT id FROM jobs WHERE (state = 'done' AND finished_at < now() - interval '"
     CLEANUP_STR(CLEANUP_DONE_DAYS) " days')"
     "   UNION ALL SELECT id FROM jobs WHERE (state = 'failed' AND finished_at < now() - interval '"
     CLEANUP_STR(CLEANUP_FAILED_DAYS) " days')"
     "   LIMIT " CLEANUP_STR(CLEANUP_BATCH) ") RETURNING 1)"
     " SELECT count(*) FROM d"},
    /* Security events older than PARLEY_AUDIT_DAYS ($1), a batch at a time. */
    {"cleanup_audit",
     "WITH d AS (DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < now() - $1::int * interval '1 day' "
     "LIMIT " CLEANUP_STR(CLEANUP_BATCH) ") RETURNING 1) SELECT count(*) FROM d"},
    /* The event log keeps a day: a client away longer refetches (resync) instead. */
    {"cleanup_events",
     "WITH d AS (DELETE FROM event_log WHERE id IN (SELECT id FROM event_log WHERE at < now() - interval '1 day' "
     "ORDER BY id LIMIT " CLEANUP_STR(CLEANUP_BATCH) ") RETURNING 1) SELECT count(*) FROM d"},
    /* What push jobs sent: needed only while a job may run again, kept as long as done jobs. */
    {"cleanup_push_sent",
     "WITH d AS (DELETE FROM push_sent WHERE ctid IN (SELECT ctid FROM push_sent WHERE sent_at < now() - interval '"
     CLEANUP_STR(CLEANUP_DONE_DAYS) " days' LIMIT " CLEANUP_STR(CLEANUP_BATCH) ") RETURNING 1) SELECT count(*) FROM d"},
    /* The small-site store's expired rows (sql/017_small_site.sql; empty while Redis is used). */
    {"cleanup_small",
     "WITH s AS (DELETE FROM small_sessions WHERE expires < now() RETURNING 1), "
     "r AS (DELETE FROM small_counters WHERE expires < now() RETURNING 1), "
     "t AS (DELETE FROM small_tickets WHERE expires < now() RETURNING 1) "
     "SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM r) + (SELECT count(*) FROM t)"},
    /* Device links (sql/028_e2e_links.sql): the sealed parts of links ended (used, or past
     * their ten minutes) within the last day, and links ended more than a day ago (their
     * parts with them). The two sets do not overlap. */
    {"cleanup_links",
     "WITH p AS (DELETE FROM e2e_link_parts WHERE link_id IN (SELECT id FROM e2e_links "
     "  WHERE (expires_at <= now() OR used_at IS NOT NULL) AND expires_at >= now() - interval '1 day') RETURNING 1), "
     "l AS (DELETE FROM e2e_links WHERE expires_at < now() - interval '1 day' RETURNING 1) "
     "SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM l)"},
    {NULL, NULL},
};

/* Runs a deleting statement that answers its count, batch by batch (each its own
 * transaction) until a batch comes back short; what names the rows for the reasons. */
static err_t cleanup_batches(db *d, const char *stmt, int n, const char *const *p, const char *what,
                             long long *total, char *why, size_t whylen)
{
    long long got;
    *total = 0;
    do {
        PGresult *r;
        err_t e = db_exec(d, stmt, n, p, &r);
        if (e) {
            snprintf(why, whylen, "deleting %s: %s", what, e == ERR_UNAVAILABLE ? "database unavailable" : "statement failed");
            return e;
        }
        got = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        *total += got;
    } while (got == CLEANUP_BATCH);
    return ERR_OK;
}

err_t cleanup_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    (void)payload;
    long long total;
    err_t e = cleanup_batches(s->db, "cleanup_jobs", 0, NULL, "finished jobs", &total, why, whylen);
    if (e) return e;
    if (total) log_info("cleanup: deleted %lld finished jobs", total);
    char days[24];
    snprintf(days, sizeof days, "%ld", s->cfg->audit_days);
    const char *p[] = {days};
    if ((e = cleanup_batches(s->db, "cleanup_audit", 1, p, "old audit entries", &total, why, whylen))) return e;
    if (total) log_info("cleanup: deleted %lld audit entries older than %ld days", total, s->cfg->audit_days);
    if ((e = cleanup_batches(s->db, "cleanup_events", 0, NULL, "old events", &total, why, whylen))) return e;
    if (total) log_info("cleanup: deleted %lld events older than a day from the event log", total);
    if ((e = cleanup_batches(s->db, "cleanup_push_sent", 0, NULL, "old push records", &total, why, whylen))) return e;
    if (total) log_info("cleanup: deleted %lld records of sent pushes", total);
    if ((e = cleanup_batches(s->db, "cleanup_small", 0, NULL, "expired small-site rows", &total, why, whylen))) return e;
    if (total) log_info("cleanup: deleted %lld expired sessions, counters and tickets (small site)", total);
    if ((e = cleanup_batches(s->db, "cleanup_links", 0, NULL, "ended device links", &total, why, whylen))) return e;
    if (total) log_info("cleanup: deleted %lld ended device links and their parts", total);
    return ERR_OK;
}

void cleanup_key(const char *kind, long long t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char hour[32];
    gmtime_r(&tt, &tm);
    strftime(hour, sizeof hour, "%Y-%m-%dT%H", &tm);
    snprintf(out, outlen, "%s:%s", kind, hour);
}
