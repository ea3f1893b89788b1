/* smallsite.h — the small-site store: with PARLEY_REDIS=none (a shared host without Redis)
 * the few things Redis keeps live in PostgreSQL instead (sql/017_small_site.sql), each with
 * an expiry: sessions (sessions.c), rate-limit counters (ratelimit.c), short-lived tickets
 * (two-factor logins, passkey challenges, typing throttles) and last activity (presence.c).
 * The domain asks small_site(cfg) and calls these instead of Redis; strings returned live
 * in the svc's arena. */
#ifndef PARLEY_SMALLSITE_H
#define PARLEY_SMALLSITE_H
#include "svc.h"

extern const db_stmt small_stmts[];

/* 1 when no Redis is configured (PARLEY_REDIS empty or "none"). */
int small_site(const config *cfg);

/* Sessions: id is the hex hash of the token. */
err_t small_sess_create(svc *c, const char *id, long long uid, const char *csrf, const char *ip, const char *ua);
/* ERR_UNAUTHORIZED when no live session has id; else its uid, csrf (copied into csrf, of
 * csrf_len bytes) and when it was last seen (Unix seconds). */
err_t small_sess_get(svc *c, const char *id, long long *uid, char *csrf, size_t csrf_len, long long *seen);
/* Notes ip and now as its last use, and slides its expiry. */
err_t small_sess_touch(svc *c, const char *id, const char *ip);
/* The live sessions of uid as {id, created, seen, ip, ua} rows (created/seen as Unix seconds
 * text): *out is the result (caller PQclear()s it). */
err_t small_sess_list(svc *c, long long uid, PGresult **out);
/* Deletes session id of uid: *existed is 1 when it was theirs and alive. */
err_t small_sess_delete(svc *c, long long uid, const char *id, int *existed);
/* Deletes every session of uid but except_id (may be ""): *out has rows {id, alive}. */
err_t small_sess_delete_all(svc *c, long long uid, const char *except_id, PGresult **out);
/* *alive = 1 when session id exists and has not expired. */
err_t small_sess_alive(svc *c, const char *id, int *alive);

/* Rate limits: takes a slot of key (limit per window seconds); *wait = 0 when taken, else
 * the seconds until the window ends. rl_give hands one back. */
err_t small_rl_take(svc *c, const char *key, long limit, long window, long long *wait);
err_t small_rl_give(svc *c, const char *key);

/* Tickets: put stores value under key for ttl seconds (only_new: unless a live one is
 * there; *stored says whether it was); get reads a live one (NULL: none); take reads and
 * deletes it in one step; del deletes it. */
err_t small_put(svc *c, const char *key, const char *value, long ttl, int only_new, int *stored);
err_t small_get(svc *c, const char *key, const char **value);
err_t small_take(svc *c, const char *key, const char **value);
err_t small_del(svc *c, const char *key);

/* Tickets wherever they live: Redis (a string with EX), or small_tickets on a small site.
 * The domain (two-factor logins, passkey challenges, typing) calls these. */
err_t ticket_put(svc *c, const char *key, const char *value, long ttl, int only_new, int *stored);
err_t ticket_get(svc *c, const char *key, const char **value);
err_t ticket_take(svc *c, const char *key, const char **value);
err_t ticket_del(svc *c, const char *key);

/* Presence: uid did something now. */
err_t small_active(svc *c, long long uid);
/* active_ms[i] = when uids[i] last did something (Unix ms), 0 when never. */
err_t small_activity(svc *c, const long long *uids, size_t n, long long *active_ms);

#endif
