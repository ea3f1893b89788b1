/* dbgroup.h — group commit for statements that each stand alone (a send's insert): threads
 * that run one at the same moment share a transaction, and so one commit and one round trip,
 * instead of each paying its own. Nobody waits to form a group: while fewer than the leaders
 * (dbgroup_init) are running statements, a caller runs its own at once, on its own
 * connection, as db_exec would; callers arriving when all are busy queue, and the first
 * leader to finish takes everything queued and runs it in one transaction on its own
 * connection. A group forms only under load, of the size the load makes; more than one leader
 * keeps a slow statement (a post that mentions a whole channel, a conversation's row lock
 * waited for) from holding up every other send. Each caller gets its own result or error as
 * from db_exec: when a statement of a group fails, every statement of it is run again alone,
 * so that one caller's error (a retry's unique violation, say) is no one else's. */
#ifndef PARLEY_DBGROUP_H
#define PARLEY_DBGROUP_H
#include <stdint.h>
#include "db.h"

enum { DBGROUP_MAX = 64 };   /* statements in one transaction at most */

/* How many callers may run statements at once (at least 1); before any call. Not called: 2. */
void dbgroup_init(int leaders);

/* db_exec, grouped with other threads' calls. key orders a group's statements (a send's
 * conversation id, so that row locks are always taken in the same order and two groups
 * cannot deadlock); equal keys keep their arrival order. Called inside a transaction on d,
 * it is db_exec: the statement belongs to that transaction. */
err_t dbgroup_exec(db *d, long long key, const char *name, int nparams, const char *const *params,
                   PGresult **out);

/* Since the process started: transactions that committed a group of more than one
 * statement, and the statements they held (GET /metrics). */
void dbgroup_counts(uint64_t *groups, uint64_t *statements);
/* Callers queued now, waiting for a leader (tests wait for a queue to form). */
int dbgroup_queued(void);

#endif
