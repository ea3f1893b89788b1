/* search_flush.c — see search_flush.h. */
#include "search_flush.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "../core/log.h"

const db_stmt search_flush_stmts[] = {
    /* gin_clean_pending_list answers how many pending-list pages it merged. */
    {"search_flush", "SELECT gin_clean_pending_list('messages_search'::regclass) + "
                     "gin_clean_pending_list('messages_trgm'::regclass)"},
    {NULL, NULL},
};

static atomic_int search_flush_off;   /* set once refused: process-wide, never reset */

void search_flush(db *d)
{
    if (atomic_load(&search_flush_off)) return;
    PGresult *r;
    err_t e = db_exec(d, "search_flush", 0, NULL, &r);
    if (!e) { PQclear(r); return; }
    if (e == ERR_INTERNAL && !strcmp(d->sqlstate, "42501")) {       /* insufficient_privilege */
        atomic_store(&search_flush_off, 1);
        log_warn("search: the worker may not merge the search indexes' pending lists (not their owner); "
                 "sends will merge them as they fill");
        return;
    }
    log_warn("search: merging the search indexes' pending lists failed (%s); trying again later",
             e == ERR_UNAVAILABLE ? "database unavailable" : d->sqlstate);
}
