/* push_origin.h — what parley-worker remembers per push service origin ("https://host[:port]"),
 * shared by all its threads under one mutex: the VAPID Authorization header, signed once
 * (ES256) and reused until PUSH_VAPID_RENEW seconds before its 12-hour JWT expires, and the
 * time until which the origin asked us to wait (a 429 or 503 with Retry-After), which is
 * also kept in Redis (parley:pushwait:<origin>, expiring then) so every worker process
 * waits. A small table (PUSH_ORIGINS_MAX entries, the least recently used one replaced);
 * nothing allocated: callers get copies in their own buffers. */
#ifndef PARLEY_PUSH_ORIGIN_H
#define PARLEY_PUSH_ORIGIN_H
#include <stddef.h>
#include "../core/config.h"
#include "../store/kv.h"

enum {
    PUSH_ORIGINS_MAX = 64,         /* origins remembered; push services are few */
    PUSH_VAPID_RENEW = 3600,       /* a JWT is signed anew when less than this is left of it */
    PUSH_BACKOFF_MAX = 3600,       /* a Retry-After longer than this counts as this */
};

/* The Authorization header line ("Authorization: vapid t=…, k=…") for endpoint's origin at
 * unix time now, into out (cap bytes): the remembered one while it has more than
 * PUSH_VAPID_RENEW seconds left, else a new signature (then remembered). *signed_now (may be
 * NULL) says which. 0, or -1 (a bad endpoint or key). */
int push_origin_authz(const config *cfg, const char *endpoint, long long now, char *out, size_t cap, int *signed_now);
/* Remembers that origin (vapid_origin's text) asked for no requests until unix time until
 * (at most PUSH_BACKOFF_MAX from now; a later time already remembered stands), here and in
 * Redis through k (NULL: here only, as in the small-site mode). */
void push_origin_backoff(kv *k, const char *origin, long long now, long long until);
/* Seconds from now until origin may be sent to again (this process's memory, else Redis);
 * 0 when it may now. A Redis failure counts as no wait. */
long push_origin_wait(kv *k, const char *origin, long long now);
/* Forgets everything (tests). */
void push_origin_reset(void);

#endif
