/* db.c — see db.h. */
#include "db.h"
#include <errno.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include "../core/log.h"
#include "../core/metrics.h"
#include "../core/clock.h"

const db_stmt db_core_stmts[] = {
    {"db_ping", "SELECT 1"},
    {"db_begin", "BEGIN"},
    {"db_commit", "COMMIT"},
    {"db_rollback", "ROLLBACK"},
    {NULL, NULL},
};

void db_init(db *d, const char *conninfo, long timeout_ms, const db_stmt *const *sets)
{
    d->conn = NULL;
    d->conninfo = conninfo;
    d->timeout_ms = timeout_ms;
    d->sets = sets;
    d->sqlstate[0] = '\0';
    memset(d->prepared, 0, sizeof d->prepared);
    size_t n = 0;
    for (const db_stmt *const *set = sets; set && *set; set++)
        for (const db_stmt *s = *set; s->name; s++) n++;
    if (n > DB_MAX_STMTS) {                    /* a build mistake: raise DB_MAX_STMTS */
        log_error("postgresql: %zu statements, more than DB_MAX_STMTS (%d)", n, DB_MAX_STMTS);
        abort();
    }
}

void db_close(db *d)
{
    if (d->conn) PQfinish(d->conn);
    d->conn = NULL;
    memset(d->prepared, 0, sizeof d->prepared);  /* a new connection has prepared nothing */
}

/* 1 when the server has closed this idle connection: a restart or an administrator sends
 * FATAL (57P01) and closes it, which only shows when something is read. Checked before a
 * statement is sent, so that the statement runs on a fresh connection instead of failing
 * (a statement never sent is always safe to send elsewhere). LISTEN notifications read
 * here stay queued for db_wait_notify. */
static int db_closed_idle(db *d)
{
    if (PQtransactionStatus(d->conn) != PQTRANS_IDLE) return 0;   /* never behind a transaction's back */
    int fd = PQsocket(d->conn);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) return 0;
    if (!PQconsumeInput(d->conn) || PQstatus(d->conn) != CONNECTION_OK) return 1;
    char b;                                   /* the FATAL was read; is the end of the stream next? */
    ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

err_t db_ensure(db *d)
{
    if (d->conn && PQstatus(d->conn) == CONNECTION_OK && !db_closed_idle(d)) return ERR_OK;
    if (d->conn) log_info("postgresql: the server closed the connection; reconnecting");
    db_close(d);
    char timeout[24];
    long secs = (d->timeout_ms + 999) / 1000;
    snprintf(timeout, sizeof timeout, "%ld", secs < 2 ? 2 : secs);
    /* dbname is expanded as a full conninfo; the later keywords add to it. */
    const char *keys[] = {"dbname", "connect_timeout", "application_name", "options", NULL};
    const char *vals[] = {d->conninfo, timeout, "parley", "-c TimeZone=UTC", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        log_warn("postgresql: %s", c ? PQerrorMessage(c) : "out of memory");
        if (c) PQfinish(c);
        return ERR_UNAVAILABLE;
    }
    d->conn = c;
    return ERR_OK;
}

/* The position of statement name in d->sets (its bit in d->prepared), or -1 when no table
 * has it (then the server says so when it is run). */
static int db_find(const db *d, const char *name, const db_stmt **out)
{
    int i = 0;
    for (const db_stmt *const *set = d->sets; set && *set; set++)
        for (const db_stmt *s = *set; s->name; s++, i++)
            if (s->name[0] == name[0] && !strcmp(s->name, name)) { *out = s; return i; }
    return -1;
}

/* Waits until deadline for PQgetResult not to block; 0, or -1 after closing the connection
 * (the server was lost or slow). what names the statement in logs. */
static int db_wait_ready(db *d, const char *what, long deadline)
{
    while (PQisBusy(d->conn)) {
        long left = deadline - clock_now_ms();
        struct pollfd pfd = {.fd = PQsocket(d->conn), .events = POLLIN};
        int rc = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (rc == 0) {
            log_warn("postgresql: %s took longer than %ld ms; dropping the connection", what, d->timeout_ms);
            db_close(d);
            return -1;
        }
        if (rc < 0 || !PQconsumeInput(d->conn)) {
            if (rc < 0 && errno == EINTR) continue;
            log_warn("postgresql: %s: %s", what, PQerrorMessage(d->conn));
            db_close(d);
            return -1;
        }
    }
    return 0;
}

/* Keeps the SQLSTATE of a failed statement's result and logs it (unique violations are
 * expected answers, not logged). */
static void db_note_error(db *d, const char *what, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(d->sqlstate, sizeof d->sqlstate, "%s", state ? state : "");
    if (strcmp(d->sqlstate, "23505") && PQstatus(d->conn) == CONNECTION_OK)
        log_error("postgresql: %s: %s", what, res ? PQresultErrorMessage(res) : "no result");
}

/* Waits until deadline for the answer to what was just sent and classifies it: ERR_OK with
 * *out (caller PQclear()s), ERR_INTERNAL for an error of the statement (d->sqlstate set),
 * ERR_UNAVAILABLE (connection closed) for a lost or slow server. what names it in logs. */
static err_t db_result(db *d, const char *what, long deadline, PGresult **out)
{
    if (db_wait_ready(d, what, deadline)) return ERR_UNAVAILABLE;
    PGresult *res = NULL, *r;
    while ((r = PQgetResult(d->conn))) {
        if (!res) res = r;
        else PQclear(r);
    }
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *out = res;
        return ERR_OK;
    }
    db_note_error(d, what, res);
    PQclear(res);
    if (PQstatus(d->conn) != CONNECTION_OK) {
        log_warn("postgresql: connection lost during %s", what);
        db_close(d);
        return ERR_UNAVAILABLE;
    }
    return ERR_INTERNAL;
}

/* Prepares statement i (s) on this connection unless it already is: one round trip, the
 * first time a connection runs it, within the statement's deadline. */
static err_t db_prepare_one(db *d, int i, const db_stmt *s, long deadline)
{
    if (d->prepared[i / 8] & (1u << (i % 8))) return ERR_OK;
    if (!PQsendPrepare(d->conn, s->name, s->sql, 0, NULL)) {
        log_warn("postgresql: send preparing %s: %s", s->name, PQerrorMessage(d->conn));
        db_close(d);
        return ERR_UNAVAILABLE;
    }
    char what[128];
    snprintf(what, sizeof what, "preparing %s", s->name);
    PGresult *r;
    err_t e = db_result(d, what, deadline, &r);
    if (e) return e;
    PQclear(r);
    d->prepared[i / 8] |= (unsigned char)(1u << (i % 8));
    return ERR_OK;
}

/* Prepares statement name on this connection unless it already is (db_prepare_one). */
static err_t db_prepare_named(db *d, const char *name, long deadline)
{
    const db_stmt *s;
    int i = db_find(d, name, &s);
    return i >= 0 ? db_prepare_one(d, i, s, deadline) : ERR_OK;
}

static err_t db_exec_untimed(db *d, const char *name, int nparams, const char *const *params, PGresult **out)
{
    *out = NULL;
    d->sqlstate[0] = '\0';
    err_t e = db_ensure(d);
    if (e) return e;
    long deadline = clock_now_ms() + d->timeout_ms;
    if ((e = db_prepare_named(d, name, deadline))) return e;
    if (!PQsendQueryPrepared(d->conn, name, nparams, params, NULL, NULL, 0)) {
        log_warn("postgresql: send %s: %s", name, PQerrorMessage(d->conn));
        db_close(d);
        return ERR_UNAVAILABLE;
    }
    return db_result(d, name, deadline, out);
}

/* db_exec_batch's reading of the pipeline: the n + 2 statements' results (BEGIN, the items,
 * COMMIT), each ended by a NULL, then the sync. ERR_OK with every item's out set;
 * ERR_INTERNAL with d->sqlstate of the first failure (the server skipped the statements
 * after it); ERR_UNAVAILABLE with the connection closed. The caller clears the outs of a
 * failed batch. */
static err_t db_batch_read(db *d, int n, db_batch_item *it, long deadline)
{
    err_t e = ERR_OK;
    for (int q = 0; q < n + 2; q++) {
        const char *what = q == 0 ? "BEGIN" : q == n + 1 ? "COMMIT" : it[q - 1].name;
        if (db_wait_ready(d, what, deadline)) return ERR_UNAVAILABLE;
        PGresult *r = PQgetResult(d->conn);
        if (!r || PQstatus(d->conn) != CONNECTION_OK) {
            PQclear(r);
            log_warn("postgresql: connection lost during %s", what);
            db_close(d);
            return ERR_UNAVAILABLE;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR && e == ERR_OK) {
            db_note_error(d, what, r);
            e = ERR_INTERNAL;
        }
        if (q >= 1 && q <= n && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) it[q - 1].out = r;
        else PQclear(r);
        if (db_wait_ready(d, what, deadline)) return ERR_UNAVAILABLE;
        if ((r = PQgetResult(d->conn))) {         /* a statement gives one result, then NULL */
            PQclear(r);
            log_warn("postgresql: %s gave more than one result in a batch", what);
            db_close(d);
            return ERR_UNAVAILABLE;
        }
    }
    if (db_wait_ready(d, "the batch's sync", deadline)) return ERR_UNAVAILABLE;
    PGresult *sync = PQgetResult(d->conn);
    int synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || !PQexitPipelineMode(d->conn)) {
        log_warn("postgresql: a batch did not end as sent; dropping the connection");
        db_close(d);
        return ERR_UNAVAILABLE;
    }
    return e;
}

err_t db_exec_batch(db *d, int n, db_batch_item *it)
{
    for (int k = 0; k < n; k++) it[k].out = NULL;
    d->sqlstate[0] = '\0';
    err_t e = db_ensure(d);
    if (e) return e;
    long deadline = clock_now_ms() + d->timeout_ms;
    if ((e = db_prepare_named(d, "db_begin", deadline)) || (e = db_prepare_named(d, "db_commit", deadline))) return e;
    for (int k = 0; k < n; k++)
        if ((e = db_prepare_named(d, it[k].name, deadline))) return e;
    int sent = PQenterPipelineMode(d->conn) && PQsendQueryPrepared(d->conn, "db_begin", 0, NULL, NULL, NULL, 0);
    for (int k = 0; sent && k < n; k++)
        sent = PQsendQueryPrepared(d->conn, it[k].name, it[k].nparams, it[k].params, NULL, NULL, 0);
    sent = sent && PQsendQueryPrepared(d->conn, "db_commit", 0, NULL, NULL, NULL, 0) && PQpipelineSync(d->conn);
    if (!sent) {
        log_warn("postgresql: sending a batch: %s", PQerrorMessage(d->conn));
        db_close(d);
        return ERR_UNAVAILABLE;
    }
    e = db_batch_read(d, n, it, deadline);
    if (e) {
        for (int k = 0; k < n; k++) PQclear(it[k].out), it[k].out = NULL;
        /* A statement failed inside the transaction: it stays open, aborted, until rolled back. */
        if (e == ERR_INTERNAL && d->conn && PQtransactionStatus(d->conn) != PQTRANS_IDLE) {
            char state[6];
            memcpy(state, d->sqlstate, sizeof state);
            db_rollback(d);
            memcpy(d->sqlstate, state, sizeof state);
        }
    }
    return e;
}

int db_prepare_all(db *d)
{
    err_t e = db_ensure(d);
    if (e) return -1;
    int i = 0, n = 0;
    for (const db_stmt *const *set = d->sets; set && *set; set++)
        for (const db_stmt *s = *set; s->name; s++, i++) {
            if (db_prepare_one(d, i, s, clock_now_ms() + d->timeout_ms)) return -1;
            n++;
        }
    return n;
}

/* Every statement's wall time goes to /metrics (parley_postgresql_call_duration_seconds). */
err_t db_exec(db *d, const char *name, int nparams, const char *const *params, PGresult **out)
{
    uint64_t t0 = met_now_us();
    err_t e = db_exec_untimed(d, name, nparams, params, out);
    met_observe(&met_db, met_now_us() - t0);
    return e;
}

err_t db_run(db *d, const char *name, int nparams, const char *const *params)
{
    PGresult *r;
    err_t e = db_exec(d, name, nparams, params, &r);
    PQclear(r);
    return e;
}

err_t db_begin(db *d) { return db_run(d, "db_begin", 0, NULL); }
err_t db_commit(db *d) { return db_run(d, "db_commit", 0, NULL); }
void db_rollback(db *d) { if (d->conn) db_run(d, "db_rollback", 0, NULL); }

/* Takes every notification libpq has buffered; 1 when there was one. */
static int db_take_notifies(db *d)
{
    int got = 0;
    PGnotify *n;
    while ((n = PQnotifies(d->conn))) { got = 1; PQfreemem(n); }
    return got;
}

int db_wait_notify(db *d, long timeout_ms, int wake_fd)
{
    if (!d->conn) return -1;
    if (db_take_notifies(d)) return 1;             /* arrived during an earlier statement */
    long deadline = clock_now_ms() + timeout_ms;
    for (;;) {
        long left = deadline - clock_now_ms();
        if (left <= 0) return 0;
        struct pollfd pfd[2] = {{.fd = PQsocket(d->conn), .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
        int rc = poll(pfd, wake_fd >= 0 ? 2 : 1, (int)left);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return 0;
        if (wake_fd >= 0 && pfd[1].revents) return 0;
        if (rc == 0) return 0;
        if (!PQconsumeInput(d->conn) || PQstatus(d->conn) != CONNECTION_OK) {
            log_warn("postgresql: connection lost while waiting for notifications");
            db_close(d);
            return -1;
        }
        if (db_take_notifies(d)) return 1;
    }
}
