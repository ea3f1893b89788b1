/* sessions.h — login sessions in Redis: sess:<sha256(token)> is a hash (uid, csrf, ip, ua,
 * created, seen) with a sliding TTL; usess:<uid> is the set of a user's session ids. */
#ifndef PARLEY_SESSIONS_H
#define PARLEY_SESSIONS_H
#include "ctx.h"
#include "secret.h"
#include "users.h"

typedef struct sess {
    long long uid;
    char id[SECRET_HEX + 1];
    char csrf[SECRET_LEN + 1];
    users_version ver;       /* sess_lookup: the user row's version, for users_by_id_cached */
} sess;

/* Opens a session for uid, remembering the client's address and User-Agent (cut to 512
 * bytes; may be NULL) for the sessions list; token receives the secret for the cookie or
 * bearer header. */
err_t sess_create(svc *c, long long uid, const char *ip, const char *ua, char token[SECRET_LEN + 1], sess *out);
/* ERR_UNAUTHORIZED when the token names no live session; slides its expiry otherwise (and
 * notes ip as where it was last used). */
err_t sess_lookup(svc *c, const char *token, const char *ip, sess *out);
/* JSON array of the user's sessions, newest first; marks current_id as "current". */
err_t sess_list(svc *c, long long uid, const char *current_id, json_t **out);
/* Ends a session of uid (ERR_NOT_FOUND if it is not theirs) and the streams it opened. */
err_t sess_revoke(svc *c, long long uid, const char *id);
/* Ends every session of uid except except_id (may be NULL or ""), and their streams;
 * *ended counts the sessions that were still alive. */
err_t sess_revoke_all(svc *c, long long uid, const char *except_id, size_t *ended);
/* alive[i] = 1 when session ids[i] (hex ids, not tokens) still exists; for the events hub's
 * re-check of the streams it holds. */
err_t sess_alive(svc *c, const char *const *ids, size_t n, int *alive);
/* "Firefox on Linux", "curl", … from a User-Agent (into the arena). */
const char *sess_browser(arena *a, const char *ua);

#endif
