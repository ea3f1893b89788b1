/* convmap.h — fan-out by conversation, the hub's side. A conversation's event (a new
 * message, an edit, a reaction, a receipt, typing…) is published once, on
 * parley:c:<conversation>:<epoch>[:<skip>] (cgi/app/events.c), where epoch is the
 * conversation's member epoch (sql/030) read with the event's id, and skip a member it is
 * not for (the typist). The hub keeps each conversation's
 * member list with the epoch it was read at, reloads it when a message names a newer epoch,
 * and delivers from it only when the two are equal: then the list is exactly the members
 * the message went to. Otherwise (a message from before a change the list already shows)
 * the event is left to the log follower (follow.h), which reads its recipients from the
 * database. Used by the pubsub thread alone; the counters may be read from any thread. */
#ifndef PARLEY_CONVMAP_H
#define PARLEY_CONVMAP_H
#include <stddef.h>
#include "../store/db.h"

enum { CONVMAP_IDLE_MS = 300000,    /* a list unused this long is dropped */
       CONVMAP_DB_PAUSE_MS = 1000 };/* after a failed read, no read for this long */

extern const db_stmt convmap_stmts[];
/* Parses "parley:c:<conversation>:<epoch>[:<skip>]" (*skip 0 without); 0 on success. */
int convmap_channel(const char *channel, long long *conv, long long *epoch, long long *skip);
/* Delivers event id (its JSON) of conversation conv, published at epoch, to this hub's
 * streams of the members but skip (0: none); d reads a list it lacks. 1 when delivered,
 * 0 when left to the follower (the epochs differ, or the database could not say). */
int convmap_deliver(db *d, long long conv, long long epoch, long long skip, long long id, const char *json);
/* Conversations and member ids held, and events left to the follower so far. */
void convmap_counts(size_t *convs, size_t *uids, unsigned long long *deferred);

#endif
