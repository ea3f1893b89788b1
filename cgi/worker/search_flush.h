/* search_flush.h — keeps the search indexes' GIN pending lists short, off the send path.
 * A send appends its message's words and trigrams to each GIN index's pending list (fastupdate),
 * which every search that uses the index reads whole; when a list passes
 * gin_pending_list_limit (4 MB), the send that passed it merges the list into the index and
 * waits for that. Thread 0 of each worker merges both lists every SEARCH_FLUSH_MS instead
 * (runner.c), so the send rarely pays the merge and searches read a few pages, not up to 512. */
#ifndef PARLEY_SEARCH_FLUSH_H
#define PARLEY_SEARCH_FLUSH_H
#include "../store/db.h"

#define SEARCH_FLUSH_MS 2000

extern const db_stmt search_flush_stmts[];

/* Merges the pending lists of messages_search and messages_trgm into the indexes. After a
 * refusal (the database role does not own the indexes) it logs once and stops trying for
 * the life of the process: the sends merge them as before. Logs other failures only. */
void search_flush(db *d);

#endif
