/* presence.h — who is online, away or offline (with last seen), kept in Redis only (it may
 * be lost without losing data). Events hubs say which people hold an open stream; activity
 * (opening a stream, POST /presence/active, typing) keeps an online person from turning
 * away. One Lua script per person computes the state from that and remembers the last state
 * announced, so however many hubs and page servers notice a change, exactly one of them
 * publishes the `presence` event, to the people allowed to see it (presence_watchers).
 *
 * Redis keys, per person <u> and per hub <h> (a random id per hub process):
 *   pres:on:<u>   sorted set: hubs holding a stream of u, scored by expiry (ms)
 *   pres:act:<u>  last activity (ms)          pres:st:<u>   the state last announced
 *   pres:seen:<u> when u went offline (ms)    pres:hub:<h>  people hub h holds
 *   pres:ver:<u>  u's version: +1 per announced change (events carry it)
 *   pres:hubs     sorted set: hubs by their last renewal (ms), for finding crashed ones
 * Times come from Redis (TIME), so several machines need not agree on the clock. */
#ifndef PARLEY_PRESENCE_H
#define PARLEY_PRESENCE_H
#include "ctx.h"

extern const db_stmt presence_stmts[];

#define PRESENCE_MAX_CONV 256    /* presence is shared within conversations up to this size */
#define PRESENCE_MAX_IDS 100     /* ids per GET /presence */

/* What a hub tells Redis about a person (the hub's side of presence_change). */
typedef enum presence_op {
    PRES_READ,                   /* nothing: only compute */
    PRES_TOUCH,                  /* the person did something */
    PRES_JOIN,                   /* this hub now holds a stream of theirs (also activity) */
    PRES_RENEW,                  /* this hub still holds one (and: has anyone turned away?);
                                    a join when Redis does not know it (lost data, a queued join) */
    PRES_LEAVE,                  /* this hub holds none any more */
} presence_op;

/* Applies op for user uid on behalf of hub (NULL for page servers) and, when that changed
 * the person's state, publishes it. Failures are logged, never returned: presence is a
 * courtesy. */
void presence_change(svc *c, const char *hub, long long uid, presence_op op);
/* PRES_LEAVE, the last stream having ended ago_ms ago (that is the "last seen" time).
 * -1 when Redis failed: the caller tries again (a lost leave would keep them online). */
int presence_leave(svc *c, const char *hub, long long uid, long long ago_ms);
/* PRES_RENEW for n people at once (one pipeline), and the hub's own heartbeat. */
void presence_renew(svc *c, const char *hub, const long long *uids, size_t n);
/* Takes over hubs that stopped renewing for longer than the TTL: their people leave. */
void presence_sweep(svc *c, const char *hub);
/* Announces the caller's presence anew after they turned show_presence on or off. */
void presence_setting_changed(svc *c);
/* After what stands between a and b changed (a contact accepted or removed, a block placed
 * or lifted): each is told the other's presence as they may now see it, or "hidden". */
void presence_pair_changed(svc *c, long long a, long long b);

/* 1 when uid is online now (a stream open and active lately), 0 when away or offline, -1
 * when Redis failed. The push worker skips people reading in an open tab. */
int presence_online(svc *c, long long uid);
/* 1 when uid has Parley open now (online or away: a stream open), 0 when offline, -1 when
 * Redis failed. @here (notify.h) reaches these. */
int presence_here(svc *c, long long uid);
/* presence_online for uids[0..n) in one Redis round trip (the push worker's thousands of
 * recipients): states[i] is "online", "away" or "offline" (static strings), NULL when Redis
 * failed. */
void presence_states(svc *c, const long long *uids, size_t n, const char **states);

/* Sets "presence" (an object, or null when the caller may not see it) on every object in
 * users (a JSON array of objects with "id"). A backend failure leaves them all null. */
void presence_attach(svc *c, json_t *users);


#endif
