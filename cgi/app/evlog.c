/* evlog.c — see evlog.h. */
#include "evlog.h"
#include "module.h"
#include "../store/pgarr.h"
#include "events.h"
#include "msg.h"
#include <stdlib.h>
#include <string.h>

static const db_stmt evlog_stmts[] = {
    {"evlog_after", "SELECT id, (extract(epoch FROM clock_timestamp() - at) * 1000)::bigint FROM event_log "
                    "WHERE id > $1 ORDER BY id LIMIT $2"},
    {"evlog_of", "SELECT id, (extract(epoch FROM clock_timestamp() - at) * 1000)::bigint FROM event_log "
                 "WHERE id = ANY($1::bigint[]) ORDER BY id"},
    /* Recipients as events.c published them: the members (who had joined by then) of
     * conv_id plus extra_uid minus skip_uid, or uids. */
    {"evlog_one", "SELECT e.type, e.conv_id, e.msg_seq, e.body, "
                  "CASE WHEN e.uids IS NOT NULL THEN array_to_string(e.uids, ',') ELSE "
                  "concat_ws(',', (SELECT string_agg(m.user_id::text, ',') FROM members m WHERE m.conversation_id = e.conv_id "
                  "AND m.joined_at <= e.at AND m.user_id IS DISTINCT FROM e.skip_uid), "
                  "CASE WHEN e.extra_uid IS DISTINCT FROM e.skip_uid THEN e.extra_uid::text END) END "
                  "FROM event_log e WHERE e.id = $1"},
    /* The events user $1 may see (as published): after the id $2, or among the ids $2. */
#define EVLOG_FOR_USER "($1 = ANY(e.uids) OR (e.uids IS NULL AND e.skip_uid IS DISTINCT FROM $1 AND " \
                       "(e.extra_uid = $1 OR EXISTS (SELECT 1 FROM members m WHERE m.conversation_id = e.conv_id " \
                       "AND m.user_id = $1 AND m.joined_at <= e.at))))"
    {"evlog_user", "SELECT e.id, e.type, e.conv_id, e.msg_seq, e.body FROM event_log e "
                   "WHERE e.id > $2 AND " EVLOG_FOR_USER " ORDER BY e.id LIMIT $3"},
    {"evlog_user_ids", "SELECT e.id, e.type, e.conv_id, e.msg_seq, e.body FROM event_log e "
                       "WHERE e.id = ANY($2::bigint[]) AND " EVLOG_FOR_USER " ORDER BY e.id"},
#undef EVLOG_FOR_USER
    /* Does the log still reach back to just after $1? (Rows older than a day are deleted.) */
    {"evlog_reach", "SELECT coalesce((SELECT min(id) FROM event_log), 0)"},
    {NULL, NULL},
};

static err_t marks(svc *c, PGresult *r, evlog_mark **out, size_t *n)
{
    *n = (size_t)PQntuples(r);
    *out = arena_alloc(c->a, sizeof **out * (*n + 1));                 /* arena-owned */
    if (!*out) { PQclear(r); return ERR_INTERNAL; }
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (evlog_mark){atoll(PQgetvalue(r, (int)i, 0)), atoll(PQgetvalue(r, (int)i, 1))};
    PQclear(r);
    return ERR_OK;
}

err_t evlog_marks_after(svc *c, long long after, int limit, evlog_mark **out, size_t *n)
{
    const char *p[] = {id_str(c, after), id_str(c, limit)};
    PGresult *r;
    err_t e = db_exec(c->db, "evlog_after", 2, p, &r);
    return e ? e : marks(c, r, out, n);
}

err_t evlog_marks_of(svc *c, const long long *ids, size_t k, evlog_mark **out, size_t *n)
{
    const char *p[] = {pgarr_ids(c->a, ids, k)};
    if (!p[0]) return ERR_INTERNAL;
    PGresult *r;
    err_t e = db_exec(c->db, "evlog_of", 1, p, &r);
    return e ? e : marks(c, r, out, n);
}

/* The published JSON of a row: its stored body, or a new message rendered from its row. */
static const char *render(svc *c, long long id, const char *type, const char *conv_id, const char *seq, const char *body)
{
    json_t *ev = NULL;
    if (seq && *seq) ev = msg_event_json(c, type, atoll(conv_id), atoll(seq));
    else if (body) ev = json_loads(body, 0, NULL);
    if (!ev) return NULL;
    char *s = ev_encode(id, ev);                                        /* malloc'd: copied below */
    json_decref(ev);
    const char *out = s ? arena_strndup(c->a, s, strlen(s)) : NULL;
    free(s);
    return out;
}

err_t evlog_load(svc *c, long long id, const char **json, long long **uids, size_t *n)
{
    const char *p[] = {id_str(c, id)};
    PGresult *r;
    *json = NULL;
    *n = 0;
    err_t e = db_exec(c->db, "evlog_one", 1, p, &r);
    if (e) return e;
    if (!PQntuples(r)) { PQclear(r); return ERR_OK; }
    const char *list = PQgetvalue(r, 0, 4);
    size_t cap = 1;
    for (const char *q = list; *q; q++) cap += *q == ',';
    *uids = arena_alloc(c->a, sizeof **uids * cap);                    /* arena-owned */
    for (const char *q = list; *uids && *q; ) {
        char *end;
        long long u = strtoll(q, &end, 10);
        if (end == q) break;
        if (u > 0) (*uids)[(*n)++] = u;
        q = *end == ',' ? end + 1 : end;
    }
    *json = render(c, id, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2),
                   PQgetisnull(r, 0, 3) ? NULL : PQgetvalue(r, 0, 3));
    PQclear(r);
    return *uids ? ERR_OK : ERR_INTERNAL;
}

/* Appends the rows of r (evlog_user's columns) to out[*n…], rendered; a message deleted
 * since is skipped. */
static void replay_rows(svc *c, PGresult *r, evlog_event *out, size_t *n)
{
    for (int i = 0; i < PQntuples(r); i++) {
        long long id = atoll(PQgetvalue(r, i, 0));
        const char *json = render(c, id, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                                  PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3),
                                  PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4));
        if (json) out[(*n)++] = (evlog_event){id, json};
    }
}

err_t evlog_replay(svc *c, long long uid, long long after, const long long *late, size_t nlate, evlog_event **out,
                   size_t *n, int *resync)
{
    PGresult *r, *lr = NULL;
    *n = 0;
    *resync = 0;
    err_t e = db_exec(c->db, "evlog_reach", 0, NULL, &r);
    if (e) return e;
    long long oldest = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (oldest > after + 1) { *resync = 1; return ERR_OK; }            /* forgotten (or never kept) */
    if (nlate) {                                                        /* below after: they come first */
        const char *lp[] = {id_str(c, uid), pgarr_ids(c->a, late, nlate)};
        if (!lp[1]) return ERR_INTERNAL;
        if ((e = db_exec(c->db, "evlog_user_ids", 2, lp, &lr))) return e;
    }
    size_t kl = lr ? (size_t)PQntuples(lr) : 0;
    const char *p[] = {id_str(c, uid), id_str(c, after), id_str(c, EVLOG_REPLAY_MAX + 1)};
    if ((e = db_exec(c->db, "evlog_user", 3, p, &r))) { PQclear(lr); return e; }
    size_t k = kl + (size_t)PQntuples(r);
    if (k > EVLOG_REPLAY_MAX) { PQclear(lr); PQclear(r); *resync = 1; return ERR_OK; }
    *out = arena_alloc(c->a, sizeof **out * (k + 1));                  /* arena-owned */
    if (!*out) { PQclear(lr); PQclear(r); return ERR_INTERNAL; }
    if (lr) replay_rows(c, lr, *out, n);
    replay_rows(c, r, *out, n);
    PQclear(lr);
    PQclear(r);
    return ERR_OK;
}

const module evlog_module = {"evlog", NULL, 0, evlog_stmts};
