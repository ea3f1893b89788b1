/* smallsite.c — see smallsite.h. Every statement treats a row past its expiry as absent;
 * the worker's clean-up deletes those rows (cleanup.c). */
#include "smallsite.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "module.h"
#include "../store/pgarr.h"

const db_stmt small_stmts[] = {
    {"small_sess_create",
     "INSERT INTO small_sessions (id, user_id, csrf, ip, ua, expires) "
     "VALUES ($1, $2, $3, $4, $5, now() + $6::bigint * interval '1 second')"},
    {"small_sess_get",
     "SELECT user_id, csrf, extract(epoch FROM seen)::bigint FROM small_sessions WHERE id = $1 AND expires > now()"},
    {"small_sess_touch",
     "UPDATE small_sessions SET seen = now(), ip = $2, expires = now() + $3::bigint * interval '1 second' "
     "WHERE id = $1 AND expires > now()"},
    {"small_sess_list",
     "SELECT id, extract(epoch FROM created)::bigint, extract(epoch FROM seen)::bigint, ip, ua "
     "FROM small_sessions WHERE user_id = $1 AND expires > now()"},
    {"small_sess_delete",
     "DELETE FROM small_sessions WHERE id = $1 AND user_id = $2 RETURNING expires > now()"},
    {"small_sess_delete_all",
     "DELETE FROM small_sessions WHERE user_id = $1 AND id <> $2 RETURNING id, expires > now()"},
    {"small_sess_alive", "SELECT 1 FROM small_sessions WHERE id = $1 AND expires > now()"},
    /* A slot is taken when the window is over (a new one starts) or the count is below the
     * limit; otherwise no row comes back and the count is unchanged (like the Redis script,
     * refused requests do not keep the window full). */
    {"small_rl_take",
     "INSERT INTO small_counters AS c (key, n, expires) VALUES ($1, 1, now() + $3::bigint * interval '1 second') "
     "ON CONFLICT (key) DO UPDATE SET "
     "  n = CASE WHEN c.expires <= now() THEN 1 ELSE c.n + 1 END, "
     "  expires = CASE WHEN c.expires <= now() THEN excluded.expires ELSE c.expires END "
     "WHERE c.expires <= now() OR c.n < $2::bigint RETURNING n"},
    {"small_rl_wait",
     "SELECT greatest(1, ceil(extract(epoch FROM expires - now())))::bigint FROM small_counters WHERE key = $1"},
    {"small_rl_give", "UPDATE small_counters SET n = n - 1 WHERE key = $1 AND n > 0 AND expires > now()"},
    {"small_put",
     "INSERT INTO small_tickets AS t (key, value, expires) VALUES ($1, $2, now() + $3::bigint * interval '1 second') "
     "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
     "WHERE NOT $4::boolean OR t.expires <= now() RETURNING 1"},
    {"small_get", "SELECT value FROM small_tickets WHERE key = $1 AND expires > now()"},
    {"small_take", "DELETE FROM small_tickets WHERE key = $1 RETURNING value, expires > now()"},
    {"small_del", "DELETE FROM small_tickets WHERE key = $1"},
    {"small_active",
     "INSERT INTO small_presence (user_id, active_at) VALUES ($1, now()) "
     "ON CONFLICT (user_id) DO UPDATE SET active_at = now()"},
    {"small_activity",
     "SELECT u.id, coalesce((extract(epoch FROM p.active_at) * 1000)::bigint, 0) "
     "FROM unnest($1::bigint[]) AS u(id) LEFT JOIN small_presence p ON p.user_id = u.id"},
    {NULL, NULL},
};

int small_site(const config *cfg)
{
    return !cfg->redis || !*cfg->redis || !strcmp(cfg->redis, "none");
}

static const char *lld(svc *c, long long v) { return arena_printf(c->a, "%lld", v); }

err_t small_sess_create(svc *c, const char *id, long long uid, const char *csrf, const char *ip, const char *ua)
{
    const char *p[] = {id, lld(c, uid), csrf, ip ? ip : "", ua ? ua : "", lld(c, c->cfg->session_ttl)};
    return db_run(c->db, "small_sess_create", 6, p);
}

err_t small_sess_get(svc *c, const char *id, long long *uid, char *csrf, size_t csrf_len, long long *seen)
{
    PGresult *r;
    const char *p[] = {id};
    err_t e = db_exec(c->db, "small_sess_get", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ERR_UNAUTHORIZED; }
    *uid = atoll(PQgetvalue(r, 0, 0));
    snprintf(csrf, csrf_len, "%s", PQgetvalue(r, 0, 1));
    *seen = atoll(PQgetvalue(r, 0, 2));
    PQclear(r);
    return ERR_OK;
}

err_t small_sess_touch(svc *c, const char *id, const char *ip)
{
    const char *p[] = {id, ip ? ip : "", lld(c, c->cfg->session_ttl)};
    return db_run(c->db, "small_sess_touch", 3, p);
}

err_t small_sess_list(svc *c, long long uid, PGresult **out)
{
    const char *p[] = {lld(c, uid)};
    return db_exec(c->db, "small_sess_list", 1, p, out);
}

err_t small_sess_delete(svc *c, long long uid, const char *id, int *existed)
{
    PGresult *r;
    const char *p[] = {id, lld(c, uid)};
    err_t e = db_exec(c->db, "small_sess_delete", 2, p, &r);
    if (e) return e;
    *existed = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return ERR_OK;
}

err_t small_sess_delete_all(svc *c, long long uid, const char *except_id, PGresult **out)
{
    const char *p[] = {lld(c, uid), except_id ? except_id : ""};
    return db_exec(c->db, "small_sess_delete_all", 2, p, out);
}

err_t small_sess_alive(svc *c, const char *id, int *alive)
{
    PGresult *r;
    const char *p[] = {id};
    err_t e = db_exec(c->db, "small_sess_alive", 1, p, &r);
    if (e) return e;
    *alive = PQntuples(r) == 1;
    PQclear(r);
    return ERR_OK;
}

err_t small_rl_take(svc *c, const char *key, long limit, long window, long long *wait)
{
    PGresult *r;
    const char *p[] = {key, lld(c, limit), lld(c, window)};
    err_t e = db_exec(c->db, "small_rl_take", 3, p, &r);
    if (e) return e;
    int taken = PQntuples(r) == 1;
    PQclear(r);
    *wait = 0;
    if (taken) return ERR_OK;
    if ((e = db_exec(c->db, "small_rl_wait", 1, p, &r))) return e;
    *wait = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 1;
    PQclear(r);
    return ERR_OK;
}

err_t small_rl_give(svc *c, const char *key)
{
    const char *p[] = {key};
    return db_run(c->db, "small_rl_give", 1, p);
}

err_t small_put(svc *c, const char *key, const char *value, long ttl, int only_new, int *stored)
{
    PGresult *r;
    const char *p[] = {key, value, lld(c, ttl), only_new ? "t" : "f"};
    err_t e = db_exec(c->db, "small_put", 4, p, &r);
    if (e) return e;
    if (stored) *stored = PQntuples(r) == 1;
    PQclear(r);
    return ERR_OK;
}

err_t small_get(svc *c, const char *key, const char **value)
{
    PGresult *r;
    const char *p[] = {key};
    *value = NULL;
    err_t e = db_exec(c->db, "small_get", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) == 1 && !(*value = arena_strdup(c->a, PQgetvalue(r, 0, 0)))) e = ERR_INTERNAL;
    PQclear(r);
    return e;
}

err_t small_take(svc *c, const char *key, const char **value)
{
    PGresult *r;
    const char *p[] = {key};
    *value = NULL;
    err_t e = db_exec(c->db, "small_take", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 1), "t") && !(*value = arena_strdup(c->a, PQgetvalue(r, 0, 0))))
        e = ERR_INTERNAL;
    PQclear(r);
    return e;
}

err_t small_del(svc *c, const char *key)
{
    const char *p[] = {key};
    return db_run(c->db, "small_del", 1, p);
}

err_t small_active(svc *c, long long uid)
{
    const char *p[] = {lld(c, uid)};
    return db_run(c->db, "small_active", 1, p);
}

err_t small_activity(svc *c, const long long *uids, size_t n, long long *active_ms)
{
    const char *arr = pgarr_ids(c->a, uids, n);
    if (!arr) return ERR_INTERNAL;
    PGresult *r;
    const char *p[] = {arr};
    err_t e = db_exec(c->db, "small_activity", 1, p, &r);
    if (e) return e;
    for (size_t i = 0; i < n; i++) active_ms[i] = 0;
    for (int row = 0; row < PQntuples(r); row++) {
        long long id = atoll(PQgetvalue(r, row, 0)), at = atoll(PQgetvalue(r, row, 1));
        for (size_t i = 0; i < n; i++) if (uids[i] == id) active_ms[i] = at;
    }
    PQclear(r);
    return ERR_OK;
}

err_t ticket_put(svc *c, const char *key, const char *value, long ttl, int only_new, int *stored)
{
    if (small_site(c->cfg)) return small_put(c, key, value, ttl, only_new, stored);
    redisReply *r;
    err_t e = only_new ? kv_cmd(c->kv, &r, "SET %s %s EX %ld NX", key, value, ttl)
                       : kv_cmd(c->kv, &r, "SET %s %s EX %ld", key, value, ttl);
    if (e) return e;
    if (stored) *stored = r->type == REDIS_REPLY_STATUS;      /* NX not met: a nil reply */
    freeReplyObject(r);
    return ERR_OK;
}

/* GET or GETDEL of key into the arena. */
static err_t ticket_read(svc *c, const char *cmd, const char *key, const char **value)
{
    *value = NULL;
    redisReply *r;
    err_t e = kv_cmd(c->kv, &r, "%s %s", cmd, key);
    if (e) return e;
    if (r->type == REDIS_REPLY_STRING && !(*value = arena_strndup(c->a, r->str, r->len))) e = ERR_INTERNAL;
    freeReplyObject(r);
    return e;
}

err_t ticket_get(svc *c, const char *key, const char **value)
{
    return small_site(c->cfg) ? small_get(c, key, value) : ticket_read(c, "GET", key, value);
}

err_t ticket_take(svc *c, const char *key, const char **value)
{
    return small_site(c->cfg) ? small_take(c, key, value) : ticket_read(c, "GETDEL", key, value);
}

err_t ticket_del(svc *c, const char *key)
{
    if (small_site(c->cfg)) return small_del(c, key);
    redisReply *r;
    err_t e = kv_cmd(c->kv, &r, "DEL %s", key);
    if (!e) freeReplyObject(r);
    return e;
}

const module small_module = {"small-site", NULL, 0, small_stmts};
