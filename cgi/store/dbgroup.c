/* dbgroup.c — see dbgroup.h. */
#include "dbgroup.h"
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include "../core/metrics.h"

/* A call: its statement in, its answer out. On its caller's stack; queued while it waits. */
typedef struct dbgroup_call {
    long long key;
    db_batch_item item;
    err_t e;
    char sqlstate[6];
    int taken, done;              /* in a leader's hands; answered */
    pthread_cond_t wake;
    struct dbgroup_call *next;
} dbgroup_call;

static pthread_mutex_t dbgroup_lock = PTHREAD_MUTEX_INITIALIZER;
static dbgroup_call *dbgroup_head, **dbgroup_tail = &dbgroup_head;
static int dbgroup_running, dbgroup_leaders = 2;   /* callers running statements, and how many may */
static _Atomic uint64_t dbgroup_groups, dbgroup_statements;

void dbgroup_init(int leaders) { dbgroup_leaders = leaders < 1 ? 1 : leaders; }

void dbgroup_counts(uint64_t *groups, uint64_t *statements)
{
    *groups = atomic_load(&dbgroup_groups);
    *statements = atomic_load(&dbgroup_statements);
}

int dbgroup_queued(void)
{
    int n = 0;
    pthread_mutex_lock(&dbgroup_lock);
    for (const dbgroup_call *c = dbgroup_head; c; c = c->next) n++;
    pthread_mutex_unlock(&dbgroup_lock);
    return n;
}

/* Each call run alone on d (a lone call, or a group that failed). */
static void dbgroup_run_each(db *d, dbgroup_call **calls, int n)
{
    for (int k = 0; k < n; k++) {
        dbgroup_call *c = calls[k];
        c->e = db_exec(d, c->item.name, c->item.nparams, c->item.params, &c->item.out);
        memcpy(c->sqlstate, d->sqlstate, sizeof c->sqlstate);
    }
}

/* Runs calls on d: a group in one transaction, ordered by key (insertion sort: stable, and
 * groups are small). */
static void dbgroup_run(db *d, dbgroup_call **calls, int n)
{
    if (n == 1) { dbgroup_run_each(d, calls, 1); return; }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && calls[j - 1]->key > calls[j]->key; j--) {
            dbgroup_call *t = calls[j];
            calls[j] = calls[j - 1];
            calls[j - 1] = t;
        }
    db_batch_item items[DBGROUP_MAX];
    for (int k = 0; k < n; k++) items[k] = calls[k]->item;
    uint64_t t0 = met_now_us();
    err_t e = db_exec_batch(d, n, items);
    uint64_t took = met_now_us() - t0;
    if (e == ERR_INTERNAL) {                       /* one caller's error must not be the others' */
        dbgroup_run_each(d, calls, n);
        return;
    }
    if (e == ERR_OK) atomic_fetch_add(&dbgroup_groups, 1), atomic_fetch_add(&dbgroup_statements, (uint64_t)n);
    for (int k = 0; k < n; k++) {
        calls[k]->e = e;
        calls[k]->item.out = items[k].out;
        calls[k]->sqlstate[0] = '\0';
        met_observe(&met_db, took);                /* each caller waited that long */
    }
}

err_t dbgroup_exec(db *d, long long key, const char *name, int nparams, const char *const *params,
                   PGresult **out)
{
    if (d->conn && PQtransactionStatus(d->conn) != PQTRANS_IDLE) return db_exec(d, name, nparams, params, out);
    dbgroup_call me = {.key = key, .item = {name, nparams, params, NULL}};
    pthread_cond_init(&me.wake, NULL);
    pthread_mutex_lock(&dbgroup_lock);
    *dbgroup_tail = &me;
    dbgroup_tail = &me.next;
    while (!me.done) {
        if (me.taken || dbgroup_running >= dbgroup_leaders) {   /* wait to be answered, or to lead */
            pthread_cond_wait(&me.wake, &dbgroup_lock);
            continue;
        }
        dbgroup_call *calls[DBGROUP_MAX];          /* lead: take what is queued (me among it) */
        int n = 0;
        while (dbgroup_head && n < DBGROUP_MAX) {
            calls[n++] = dbgroup_head;
            dbgroup_head->taken = 1;
            dbgroup_head = dbgroup_head->next;
        }
        if (!dbgroup_head) dbgroup_tail = &dbgroup_head;
        dbgroup_running++;
        pthread_mutex_unlock(&dbgroup_lock);
        dbgroup_run(d, calls, n);
        pthread_mutex_lock(&dbgroup_lock);
        for (int k = 0; k < n; k++) {              /* a caller's call is not touched once done */
            calls[k]->done = 1;
            if (calls[k] != &me) pthread_cond_signal(&calls[k]->wake);
        }
        dbgroup_running--;
        if (dbgroup_head) pthread_cond_signal(&dbgroup_head->wake);   /* the next to lead */
    }
    pthread_mutex_unlock(&dbgroup_lock);
    pthread_cond_destroy(&me.wake);
    memcpy(d->sqlstate, me.sqlstate, sizeof d->sqlstate);
    *out = me.item.out;
    return me.e;
}
