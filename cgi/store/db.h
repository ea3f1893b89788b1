/* db.h — one PostgreSQL connection per worker thread. Every statement is named, and prepared
 * on a connection the first time that connection runs it (a plain-CGI request opens a
 * connection and runs a handful of them); queries run with a deadline, so a stopped or hung server gives
 * ERR_UNAVAILABLE (503) instead of a hung request. Reconnects by itself on the next call. */
#ifndef PARLEY_DB_H
#define PARLEY_DB_H
#include <libpq-fe.h>
#include "../core/err.h"

typedef struct db_stmt { const char *name; const char *sql; } db_stmt;

/* SQL for a timestamptz column as the API's ISO-8601 UTC text ("2026-11-28T02:10:00Z");
 * the connection's time zone is UTC. */
#define DB_TS(x) "to_char(" x ", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define DB_MAX_STMTS 4096                /* statements in all of a db's tables together */

typedef struct db {
    PGconn *conn;                 /* NULL when not connected */
    const char *conninfo;         /* borrowed from config */
    long timeout_ms;
    const db_stmt *const *sets;   /* NULL-terminated list of {NULL,NULL}-terminated tables */
    char sqlstate[6];             /* SQLSTATE of the last failed statement, "" otherwise */
    unsigned char prepared[DB_MAX_STMTS / 8];  /* bit i: statement i of sets is prepared on conn */
} db;

void db_init(db *d, const char *conninfo, long timeout_ms, const db_stmt *const *sets);
void db_close(db *d);
err_t db_ensure(db *d);
/* Runs prepared statement name with text params (NULL = SQL NULL). On ERR_OK *out holds the
 * result (caller PQclear()s it). A statement error gives ERR_INTERNAL with d->sqlstate set
 * (e.g. "23505" for a unique violation); a lost or slow server gives ERR_UNAVAILABLE. */
err_t db_exec(db *d, const char *name, int nparams, const char *const *params, PGresult **out);
/* Same, for statements whose result is not needed. */
err_t db_run(db *d, const char *name, int nparams, const char *const *params);
/* One statement of a db_exec_batch: its name and text params in; out its result (caller
 * PQclear()s) when the batch succeeded, NULL otherwise. */
typedef struct db_batch_item {
    const char *name;
    int nparams;
    const char *const *params;
    PGresult *out;
} db_batch_item;
/* Runs the n items, in order, in one transaction sent at once (pipelined: one round trip and
 * one commit for all, after preparing what this connection has not). ERR_OK: all ran and the
 * transaction committed. ERR_INTERNAL: a statement or the commit failed, d->sqlstate says
 * why, and nothing of the batch stands (the connection is idle again). ERR_UNAVAILABLE: the
 * server was lost or slow (the outcome of a commit already sent is unknown). The connection
 * must be idle (no transaction open). */
err_t db_exec_batch(db *d, int n, db_batch_item *items);
/* BEGIN / COMMIT / ROLLBACK via the prepared-statement path (they take no input). */
err_t db_begin(db *d);
err_t db_commit(db *d);
void db_rollback(db *d);
/* Prepares every statement of every table now (parley config check: the SQL matches the
 * schema). The number prepared, or -1 after logging why not. */
int db_prepare_all(db *d);

/* Waits up to timeout_ms for a NOTIFY on a channel this connection LISTENs to, or for wake_fd
 * (-1: none) to become readable. 1 when notified (every pending notification is consumed),
 * 0 on timeout or wake_fd, -1 when the connection is gone (closed; db_ensure reopens it). */
int db_wait_notify(db *d, long timeout_ms, int wake_fd);

extern const db_stmt db_core_stmts[];

#endif
