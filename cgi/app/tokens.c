/* tokens.c — see tokens.h. */
#include "tokens.h"
#include "module.h"
#include "../store/pgarr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/num.h"
#include "events.h"

#define TOKEN_COLS "id, name, " DB_TS("created_at") ", " DB_TS("last_used_at")

const db_stmt tokens_stmts[] = {
    {"tokens_insert", "INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING " TOKEN_COLS},
    {"tokens_lookup", "SELECT id, user_id, last_used_at IS NULL OR last_used_at < now() - interval '60 seconds' "
                      "FROM api_tokens WHERE token_hash = $1"},
    {"tokens_touch", "UPDATE api_tokens SET last_used_at = now() WHERE id = $1"},
    {"tokens_list", "SELECT " TOKEN_COLS " FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"},
    {"tokens_delete", "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2"},
    {"tokens_delete_all", "DELETE FROM api_tokens WHERE user_id = $1 AND id <> $2 RETURNING id"},
    /* Which of these tokens still exist (the events hub's re-check); $1 is an int8[] literal. */
    {"tokens_alive", "SELECT id FROM api_tokens WHERE id = ANY($1::bigint[])"},
    {NULL, NULL},
};

static json_t *row_token(PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                     "name", PQgetvalue(r, i, 1), "created_at", PQgetvalue(r, i, 2),
                     "last_used_at", PQgetisnull(r, i, 3) ? json_null() : json_string(PQgetvalue(r, i, 3)));
}

err_t tokens_create(svc *c, long long uid, const char *name, json_t **out, char secret[TOKEN_SECRET_LEN + 1])
{
    char raw[SECRET_LEN + 1], hash[SECRET_HEX + 1], uids[24];
    secret_new(raw);
    snprintf(secret, TOKEN_SECRET_LEN + 1, "pat_%s", raw);
    secret_hash(secret, hash);
    snprintf(uids, sizeof uids, "%lld", uid);
    const char *p[] = {uids, name, hash};
    PGresult *r;
    err_t e = db_exec(c->db, "tokens_insert", 3, p, &r);
    if (e) return e;
    *out = row_token(r, 0);
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

err_t tokens_lookup(svc *c, const char *secret, long long *uid, long long *token_id)
{
    if (!secret_shape_ok(secret, "pat_")) return ERR_UNAUTHORIZED;
    char hash[SECRET_HEX + 1];
    secret_hash(secret, hash);
    const char *p[] = {hash};
    PGresult *r;
    err_t e = db_exec(c->db, "tokens_lookup", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ERR_UNAUTHORIZED; }
    *uid = atoll(PQgetvalue(r, 0, 1));
    *token_id = atoll(PQgetvalue(r, 0, 0));
    int stale = PQgetvalue(r, 0, 2)[0] == 't';
    char id[24];
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (stale) {                       /* record use at most once a minute per token */
        const char *q[] = {id};
        e = db_run(c->db, "tokens_touch", 1, q);
    }
    return e;
}

err_t tokens_alive(svc *c, const long long *ids, size_t n, int *alive)
{
    const char *p[] = {pgarr_ids(c->a, ids, n)};
    PGresult *r = NULL;
    err_t e = !p[0] ? ERR_INTERNAL : db_exec(c->db, "tokens_alive", 1, p, &r);
    if (e) return e;
    for (size_t i = 0; i < n; i++) alive[i] = 0;
    for (int k = 0; k < PQntuples(r); k++) {
        long long id = atoll(PQgetvalue(r, k, 0));
        for (size_t i = 0; i < n; i++) if (ids[i] == id) alive[i] = 1;
    }
    PQclear(r);
    return ERR_OK;
}

err_t tokens_list(svc *c, long long uid, json_t **out)
{
    char uids[24];
    snprintf(uids, sizeof uids, "%lld", uid);
    const char *p[] = {uids};
    PGresult *r;
    err_t e = db_exec(c->db, "tokens_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) json_array_append_new(arr, row_token(r, i));
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

err_t tokens_revoke(svc *c, long long uid, const char *id)
{
    char uids[24];
    long long x;
    if (num_parse(id, strlen(id), &x)) return ERR_NOT_FOUND;
    snprintf(uids, sizeof uids, "%lld", uid);
    const char *p[] = {id, uids};
    PGresult *r;
    err_t e = db_exec(c->db, "tokens_delete", 2, p, &r);
    if (e) return e;
    int gone = atoi(PQcmdTuples(r)) == 1;
    PQclear(r);
    if (!gone) return ERR_NOT_FOUND;
    const char *cred = arena_printf(c->a, "t:%lld", x);  /* as the hub names it: "007" is 7 */
    if (cred) ev_creds_ended(c, &cred, 1);               /* its open streams end too */
    return ERR_OK;
}

err_t tokens_revoke_all(svc *c, long long uid, long long except_id, size_t *revoked)
{
    char uids[24], ex[24];
    snprintf(uids, sizeof uids, "%lld", uid);
    snprintf(ex, sizeof ex, "%lld", except_id);
    const char *p[] = {uids, ex};
    PGresult *r;
    err_t e = db_exec(c->db, "tokens_delete_all", 2, p, &r);
    if (e) return e;
    size_t n = (size_t)PQntuples(r);
    const char **creds = arena_alloc(c->a, sizeof *creds * (n ? n : 1));   /* arena-owned */
    for (size_t i = 0; creds && i < n; i++) creds[i] = arena_printf(c->a, "t:%s", PQgetvalue(r, (int)i, 0));
    PQclear(r);
    if (!creds) return ERR_INTERNAL;
    ev_creds_ended(c, creds, n);
    *revoked = n;
    return ERR_OK;
}

const module tokens_module = {"tokens", NULL, 0, tokens_stmts};
