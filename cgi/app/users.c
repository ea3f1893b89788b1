/* users.c — see users.h. */
#include "users.h"
#include "module.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/log.h"
#include "../http/validate.h"
#include "sesscache.h"
#include "smallsite.h"
#include "../core/clock.h"

/* Then: an administrator wants a new password first; a second factor (TOTP, or a passkey)
 * is set up; the instance's require_2fa policy covers the account (user_row's gate); the
 * e-mail address and whether it is verified. */
#define USER_COLS USERS_PUBLIC_COLS("users") ", read_receipts, show_presence, is_admin, deactivated_at IS NOT NULL, " \
    "must_change_password, EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = users.id AND t.enabled_at IS NOT NULL) " \
    "OR EXISTS (SELECT 1 FROM passkeys k WHERE k.user_id = users.id), " \
    "COALESCE((SELECT s.value IN ('everyone', CASE WHEN users.is_admin THEN 'admins' END) " \
    "FROM instance_settings s WHERE s.key = 'require_2fa'), false), email, email_verified_at IS NOT NULL, is_bot, " \
    "COALESCE((SELECT np.time_zone FROM notify_prefs np WHERE np.user_id = users.id), 'UTC'), " \
    "COALESCE((SELECT np.clock24 FROM notify_prefs np WHERE np.user_id = users.id), false)"
enum { USER_NCOLS = USERS_PUBLIC_NCOLS + 12 };   /* columns in USER_COLS; users_auth's hash comes next */

const db_stmt users_stmts[] = {
    {"users_insert", "INSERT INTO users (username, display_name, password_hash) VALUES ($1, $2, $3) "
                     "RETURNING " USER_COLS},
    {"users_by_id", "SELECT " USER_COLS " FROM users WHERE id = $1"},
    /* $1 is already the canonical form (users_canonical); lower() is on the column only, so
     * the index serves and no Unicode folding (the Kelvin sign is not a K) can match a name. */
    {"users_by_username", "SELECT " USER_COLS " FROM users WHERE lower(username) = $1"},
    {"users_auth", "SELECT " USER_COLS ", password_hash FROM users WHERE lower(username) = $1"},
    {"users_hash", "SELECT password_hash FROM users WHERE id = $1"},
    {"users_update", "UPDATE users SET display_name = COALESCE($2, display_name), "
                     "status_text = COALESCE($3, status_text), read_receipts = COALESCE($4::boolean, read_receipts), "
                     "show_presence = COALESCE($5::boolean, show_presence), updated_at = now() "
                     "WHERE id = $1 RETURNING " USER_COLS},
    /* The account and everything that is only its own (ON DELETE CASCADE: memberships,
     * contacts, blocks, tokens, uploads, the second factor); messages keep their place with
     * no sender. */
    {"users_delete", "DELETE FROM users WHERE id = $1"},
    {"users_set_hash", "UPDATE users SET password_hash = $2, must_change_password = false, updated_at = now() WHERE id = $1"},
    {NULL, NULL},
};

/* A valid hash of a random password, verified against when the user does not exist so
 * that a wrong username costs as much time as a wrong password. Empty when made lazily
 * (users_init_lazy): then that one request hashes instead, which costs the same. */
static char users_dummy_hash[crypto_pwhash_STRBYTES];
static unsigned long long users_ops;
static size_t users_mem;

int users_init(const config *cfg)
{
    users_init_lazy(cfg);
    char pw[32];
    randombytes_buf(pw, sizeof pw);
    return crypto_pwhash_str(users_dummy_hash, pw, sizeof pw, cfg->pwhash_ops, cfg->pwhash_mem);
}

void users_init_lazy(const config *cfg)
{
    users_ops = cfg->pwhash_ops;
    users_mem = cfg->pwhash_mem;
}

int users_hash_password(const config *cfg, const char *password, char out[crypto_pwhash_STRBYTES])
{
    return crypto_pwhash_str(out, password, strlen(password), cfg->pwhash_ops, cfg->pwhash_mem);
}

static user_row *row_user(svc *c, PGresult *r, int i)
{
    user_row *u = arena_alloc(c->a, sizeof *u);
    if (!u) return NULL;
    u->id = atoll(PQgetvalue(r, i, 0));
    u->username = arena_strdup(c->a, PQgetvalue(r, i, 1));
    u->display_name = arena_strdup(c->a, PQgetvalue(r, i, 2));
    u->status_text = arena_strdup(c->a, PQgetvalue(r, i, 3));
    u->created_at = arena_strdup(c->a, PQgetvalue(r, i, 4));
    u->avatar_id = PQgetisnull(r, i, 5) ? 0 : atoll(PQgetvalue(r, i, 5));
    u->read_receipts = PQgetvalue(r, i, USERS_PUBLIC_NCOLS)[0] == 't';
    u->show_presence = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 1)[0] == 't';
    u->is_admin = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 2)[0] == 't';
    u->deactivated = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 3)[0] == 't';
    u->must_change_password = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 4)[0] == 't';
    u->has_2fa = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 5)[0] == 't';
    u->needs_2fa = !u->has_2fa && PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 6)[0] == 't';
    u->email = PQgetisnull(r, i, USERS_PUBLIC_NCOLS + 7) ? NULL : arena_strdup(c->a, PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 7));
    u->email_verified = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 8)[0] == 't';
    u->is_bot = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 9)[0] == 't';
    u->time_zone = arena_strdup(c->a, PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 10));
    u->clock24 = PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 11)[0] == 't';
    return u->time_zone && u->username && u->display_name && u->status_text && u->created_at ? u : NULL;
}

/* Runs a statement expected to return at most one user row. */
static err_t one_user(svc *c, const char *stmt, int n, const char *const *p, user_row **out)
{
    PGresult *r;
    err_t e = db_exec(c->db, stmt, n, p, &r);
    if (e) return e;
    if (PQntuples(r) == 0) { PQclear(r); return ERR_NOT_FOUND; }
    *out = row_user(c, r, 0);
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

err_t users_create(svc *c, const char *username, const char *display_name, const char *password, user_row **out)
{
    char hash[crypto_pwhash_STRBYTES];
    if (users_hash_password(c->cfg, password, hash)) return ERR_INTERNAL;
    const char *p[] = {username, display_name, hash};
    err_t e = one_user(c, "users_insert", 3, p, out);
    sodium_memzero(hash, sizeof hash);
    if (e == ERR_INTERNAL && !strcmp(c->db->sqlstate, "23505"))
        return svc_fail(c, ERR_USERNAME_TAKEN, "username", "That username is taken. Try another one.");
    return e;
}

err_t users_by_id(svc *c, long long id, user_row **out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {ids};
    return one_user(c, "users_by_id", 1, p, out);
}

/* users_by_id_cached's rows, shared by the process's threads (a user's requests land on any
 * of them): a slot per uid modulo the size, each holding its query's result (owned here,
 * cleared when the slot is reused), so that any column row_user reads is kept. row_user
 * copies into the caller's arena, under the lock, so no thread reads a result another frees. */
enum { USERS_CACHE_SLOTS = 4096 };
typedef struct users_cached {
    long long id, at_ms;
    users_version ver;
    PGresult *r;
} users_cached;
static users_cached users_cache[USERS_CACHE_SLOTS];
static pthread_mutex_t users_cache_lock = PTHREAD_MUTEX_INITIALIZER;

err_t users_by_id_cached(svc *c, long long id, const users_version *ver, user_row **out)
{
    if (!ver || !ver->known) return users_by_id(c, id, out);
    users_cached *k = &users_cache[(unsigned long long)id % USERS_CACHE_SLOTS];
    long long now = clock_now_ms();
    pthread_mutex_lock(&users_cache_lock);
    int hit = k->r && k->id == id && k->ver.v[0] == ver->v[0] && k->ver.v[1] == ver->v[1] &&
              now - k->at_ms < USERS_CACHE_MS;
    if (hit) *out = row_user(c, k->r, 0);
    pthread_mutex_unlock(&users_cache_lock);
    if (hit) return *out ? ERR_OK : ERR_INTERNAL;
    const char *p[] = {id_str(c, id)};
    PGresult *r;
    err_t e = db_exec(c->db, "users_by_id", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) == 0) { PQclear(r); return ERR_NOT_FOUND; }
    *out = row_user(c, r, 0);
    if (!*out) { PQclear(r); return ERR_INTERNAL; }
    pthread_mutex_lock(&users_cache_lock);
    PGresult *old = k->r;                                /* the slot's previous row */
    *k = (users_cached){.id = id, .at_ms = now, .ver = *ver, .r = r};
    pthread_mutex_unlock(&users_cache_lock);
    PQclear(old);
    return ERR_OK;
}

void users_changed(svc *c, long long uid)
{
    if (small_site(c->cfg) || !c->kv) return;
    char key[48];
    if (uid) snprintf(key, sizeof key, "parley:ugen:%lld", uid);
    else snprintf(key, sizeof key, "parley:ugen");
    /* Forgotten after an hour, long after any row cached under it is too old to be used.
     * Sessions kept with the old version (sesscache.h) are dropped here and, through the
     * publish, in every other parley.fcgi. */
    err_t e = kv_append(c->kv, "INCR %s", key);
    if (!e) e = kv_append(c->kv, "EXPIRE %s 3600", key);
    if (!e) e = kv_append(c->kv, "PUBLISH parley:ugen %lld", uid);
    if (e) {
        kv_close(c->kv);                                 /* half a pipeline: start afresh */
    } else {
        redisReply *r[3];
        e = kv_replies(c->kv, 3, r);
        kv_free_replies(3, r);
    }
    sesscache_forget_user(uid);
    if (e) log_warn("users: the change of user %lld not announced (redis); cached copies last %d ms at most", uid,
                    (int)USERS_CACHE_MS);
}

err_t users_delete(svc *c, long long id)
{
    const char *p[] = {id_str(c, id)};
    err_t e = db_run(c->db, "users_delete", 1, p);
    if (!e) users_changed(c, id);
    return e;
}

err_t users_by_username(svc *c, const char *username, user_row **out)
{
    const char *p[] = {username};
    return one_user(c, "users_by_username", 1, p, out);
}

const char *users_canonical(arena *a, const char *name)
{
    if (!name) return NULL;
    char *low = arena_strdup(a, name);
    if (!low) return NULL;
    for (char *p = low; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return username_valid(low) ? low : NULL;
}

err_t users_find_login(svc *c, const char *username, user_row **out, const char **hash)
{
    *out = NULL;
    *hash = NULL;
    const char *p[] = {username};
    PGresult *r;
    err_t e = db_exec(c->db, "users_auth", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) == 1) {
        *out = row_user(c, r, 0);
        *hash = arena_strdup(c->a, PQgetvalue(r, 0, USER_NCOLS));
        if (!*out || !*hash) e = ERR_INTERNAL;
    }
    PQclear(r);
    return e;
}

int users_password_ok(const char *hash, const char *password)
{
    if (!hash) {                       /* nobody: the same work, and never a match */
        if (!users_dummy_hash[0]) {    /* lazy (plain CGI): hashing costs what verifying does */
            char made[crypto_pwhash_STRBYTES];
            int spent = crypto_pwhash_str(made, password, strlen(password), users_ops, users_mem);
            (void)spent;
            return 0;
        }
        int spent = crypto_pwhash_str_verify(users_dummy_hash, password, strlen(password));
        (void)spent;                   /* the dummy's password is random: it never matches */
        return 0;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

err_t users_update_profile(svc *c, long long id, const char *display_name, const char *status_text,
                           int read_receipts, int show_presence, user_row **out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {ids, display_name, status_text, read_receipts < 0 ? NULL : read_receipts ? "true" : "false",
                       show_presence < 0 ? NULL : show_presence ? "true" : "false"};
    err_t e = one_user(c, "users_update", 5, p, out);
    if (!e) users_changed(c, id);
    return e;
}

err_t users_check_password(svc *c, long long id, const char *password)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {ids};
    PGresult *r;
    err_t e = db_exec(c->db, "users_hash", 1, p, &r);
    if (e) return e;
    int good = PQntuples(r) == 1 &&
               crypto_pwhash_str_verify(PQgetvalue(r, 0, 0), password, strlen(password)) == 0;
    PQclear(r);
    return good ? ERR_OK : svc_fail(c, ERR_WRONG_PASSWORD, "current_password", "The current password is wrong.");
}

err_t users_set_password(svc *c, long long id, const char *password)
{
    char hash[crypto_pwhash_STRBYTES], ids[24];
    if (users_hash_password(c->cfg, password, hash)) return ERR_INTERNAL;
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {ids, hash};
    err_t e = db_run(c->db, "users_set_hash", 2, p);
    sodium_memzero(hash, sizeof hash);
    if (!e) users_changed(c, id);                        /* must_change_password */
    return e;
}

const module users_module = {"users", NULL, 0, users_stmts};

/* The avatar's thumbnail URL (what pages show where initials were), or null. */
static json_t *users_avatar_url(long long media_id)
{
    return media_id > 0 ? json_sprintf("/api/v1/media/%lld/thumb/320", media_id) : json_null();
}

static long long users_col_id(PGresult *r, int i, int col)
{
    return PQgetisnull(r, i, col) ? 0 : atoll(PQgetvalue(r, i, col));
}

json_t *user_json(const user_row *u)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:b}", "id", (json_int_t)u->id, "username", u->username,
                     "display_name", u->display_name, "status_text", u->status_text, "created_at", u->created_at,
                     "avatar_url", users_avatar_url(u->avatar_id), "bot", u->is_bot);
}

json_t *users_public_json(PGresult *r, int i, int col)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)atoll(PQgetvalue(r, i, col)),
                     "username", PQgetvalue(r, i, col + 1), "display_name", PQgetvalue(r, i, col + 2),
                     "status_text", PQgetvalue(r, i, col + 3), "created_at", PQgetvalue(r, i, col + 4),
                     "avatar_url", users_avatar_url(users_col_id(r, i, col + 5)));
}

json_t *users_ref_json(PGresult *r, int i, int col)
{
    if (PQgetisnull(r, i, col)) return json_null();
    return json_pack("{s:I,s:s,s:s,s:o,s:b}", "id", (json_int_t)atoll(PQgetvalue(r, i, col)),
                     "username", PQgetvalue(r, i, col + 1), "display_name", PQgetvalue(r, i, col + 2),
                     "avatar_url", users_avatar_url(users_col_id(r, i, col + 3)),
                     "bot", PQgetvalue(r, i, col + 4)[0] == 't');
}

json_t *users_ref_of(const user_row *u)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:b}", "id", (json_int_t)u->id, "username", u->username,
                     "display_name", u->display_name, "avatar_url", users_avatar_url(u->avatar_id), "bot", u->is_bot);
}
