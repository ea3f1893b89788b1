/* sesscache.h — parley.fcgi's sessions remembered for SESSCACHE_MS, shared by its threads, so
 * that most requests make no Redis round trip for the session (and, through the versions
 * kept with it, none for the acting user's row: users_by_id_cached).
 *
 * It is right only while it hears every change: a thread of its own subscribes to
 * parley:ended ("s:<id>": a session ended) and parley:ugen ("<uid>": a user's row changed,
 * "0": every user's) and drops what they name. Until that subscription stands, and from the
 * moment it is lost, nothing is cached (what was is dropped). A process that ends a session
 * or changes a user also drops its own copy at once, not waiting for its publish. A copy read
 * from Redis is kept only if nothing was dropped while it was being read (the ticket
 * sesscache_get hands out on a miss), so a revocation racing the read cannot leave a stale
 * copy behind. Without sesscache_start (the events hub, plain CGI, a small site) every call
 * misses and nothing is kept. */
#ifndef PARLEY_SESSCACHE_H
#define PARLEY_SESSCACHE_H
#include "../core/config.h"
#include "sessions.h"

enum { SESSCACHE_MS = 3000,       /* a copy is used this long at most */
       SESSCACHE_SLOTS = 4096 };  /* sessions kept at once (by their id's hash; a collision evicts) */

/* Starts the subscriber thread (once per process); 0, or -1 if it cannot start. cfg must
 * outlive the process. */
int sesscache_start(const config *cfg);
/* 1 and *out (with *seen, the unix time its "last seen" was written) when session id is
 * kept; 0 when not, with *ticket for the sesscache_put after reading it from Redis (0: do
 * not keep it, the cache is off). */
int sesscache_get(const char *id, sess *out, long long *seen, unsigned long long *ticket);
/* Keeps s (its "last seen" at unix time seen; Redis drops it at unix time expires) unless
 * anything was dropped since ticket was taken. */
void sesscache_put(unsigned long long ticket, const sess *s, long long seen, long long expires);
/* After a touch: the kept copy's "last seen" and expiry move on (if it is still kept). */
void sesscache_touched(const char *id, long long seen, long long expires);
/* Drops session id (ended). */
void sesscache_forget_session(const char *id);
/* Drops every session of uid (its row changed), or every session (uid 0). */
void sesscache_forget_user(long long uid);
/* Says whether the subscription stands (the subscriber thread; tests/unit without one):
 * either way everything kept is dropped. */
void sesscache_set_live(int live);

#endif
