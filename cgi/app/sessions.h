/* sessions.h — login sessions in Redis: sess:<sha256(token)> is a hash (uid, csrf, ip, ua,
 * created, seen) with a sliding TTL; usess:<uid> is the set of a user's session ids. */
#ifndef PARLEY_SESSIONS_H
#define PARLEY_SESSIONS_H
#include "ctx.h"
#include "secret.h"

typedef struct sess {
    long long uid;
    char id[SECRET_HEX + 1];
    char csrf[SECRET_LEN + 1];
} sess;

/* Opens a session for uid; token receives the secret for the cookie or bearer header. */
err_t sess_create(ctx *c, long long uid, char token[SECRET_LEN + 1], sess *out);
/* ERR_UNAUTHORIZED when the token names no live session; slides its expiry otherwise. */
err_t sess_lookup(ctx *c, const char *token, sess *out);
/* JSON array of the user's sessions, newest first; marks current_id as "current". */
err_t sess_list(ctx *c, long long uid, const char *current_id, json_t **out);
err_t sess_revoke(ctx *c, long long uid, const char *id);        /* ERR_NOT_FOUND */
/* Ends every session of uid except except_id (may be NULL or ""). */
err_t sess_revoke_all(ctx *c, long long uid, const char *except_id);
/* "Firefox on Linux", "curl", … from a User-Agent (into the arena). */
const char *sess_browser(arena *a, const char *ua);

#endif
