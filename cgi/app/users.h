/* users.h — accounts: rows in PostgreSQL, passwords as Argon2id strings (libsodium). */
#ifndef PARLEY_USERS_H
#define PARLEY_USERS_H
#include <sodium.h>
#include "ctx.h"

extern const db_stmt users_stmts[];

/* A user's public columns under table alias t, in the order users_public_json reads them. */
#define USERS_PUBLIC_COLS(t) t ".id, " t ".username, " t ".display_name, " t ".status_text, " \
                             DB_TS(t ".created_at") ", " t ".avatar_media_id"
enum { USERS_PUBLIC_NCOLS = 6 };
/* A user's short form (who sent, who is typing, a member) under alias t. */
#define USERS_REF_COLS(t) t ".id, " t ".username, " t ".display_name, " t ".avatar_media_id, " t ".is_bot"
enum { USERS_REF_NCOLS = 5 };

/* The public JSON of a user, {id, username, display_name, status_text, created_at,
 * avatar_url}: from a row (user_json, svc.h) or from USERS_PUBLIC_COLS at column col of r.
 * avatar_url is the avatar's 320 px thumbnail, or null. New references. */
json_t *user_json(const user_row *u);
json_t *users_public_json(PGresult *r, int i, int col);
/* The short JSON of a user, {id, username, display_name, avatar_url, bot}: from USERS_REF_COLS at column col
 * (null when the id is NULL: a sender whose account is gone), or from a row. */
json_t *users_ref_json(PGresult *r, int i, int col);
json_t *users_ref_of(const user_row *u);

/* ERR_USERNAME_TAKEN when the name exists ignoring case. */
err_t users_create(svc *c, const char *username, const char *display_name, const char *password, user_row **out);
err_t users_by_id(svc *c, long long id, user_row **out);          /* ERR_NOT_FOUND */

/* The version of one user's row as Redis knows it: v[0] that user's (parley:ugen:<id>), v[1]
 * everybody's (parley:ugen). Read with the session (sess_lookup), bumped by users_changed. */
typedef struct users_version {
    int known;               /* 0: no versions here (a small site): never cached */
    long long v[2];
} users_version;
enum { USERS_CACHE_MS = 3000 };   /* a cached row is used this long at most, bumped or not */
/* users_by_id for the acting user of a request: the process keeps the rows its threads read
 * lately and answers from them while ver is what it was then and the row is younger than
 * USERS_CACHE_MS, so a page or /me costs no query for its own user. */
err_t users_by_id_cached(svc *c, long long id, const users_version *ver, user_row **out);
/* Says that what users_by_id gives for uid changed (its row, its second factors): every
 * thread's cached copy is stale from now on. uid 0: every user's (an instance setting
 * that every row reads). Best effort: a cached row lives USERS_CACHE_MS at most anyway. */
void users_changed(svc *c, long long uid);
/* username must be canonical (users_canonical). */
err_t users_by_username(svc *c, const char *username, user_row **out);
/* The one canonical form of a username, in the arena: ASCII a-z 0-9 _ . - with A-Z folded;
 * NULL when name cannot be a username (any other character, the wrong length). */
const char *users_canonical(arena *a, const char *name);
/* The account a login names (canonical username) and its password hash (arena), or *out
 * and *hash NULL when there is none. */
err_t users_find_login(svc *c, const char *username, user_row **out, const char **hash);
/* 1 when password matches hash; with hash NULL does the same work and returns 0, so an
 * unknown user costs as much time as a wrong password. */
int users_password_ok(const char *hash, const char *password);
/* NULL (or -1 for the two settings) leaves a field as it is. */
err_t users_update_profile(svc *c, long long id, const char *display_name, const char *status_text,
                           int read_receipts, int show_presence, user_row **out);
err_t users_check_password(svc *c, long long id, const char *password);   /* ERR_WRONG_PASSWORD */
/* Deletes the account (see users_delete in users.c for what goes with it). */
err_t users_delete(svc *c, long long id);
err_t users_set_password(svc *c, long long id, const char *password);
/* Once at start, before threads: prepares the hash used to time unknown-user logins. */
int users_init(const config *cfg);
/* Plain CGI: only the settings; the dummy hash is not made up front (one request never
 * needs it unless it is a sign-in of nobody, and then that request does the same work). */
void users_init_lazy(const config *cfg);
int users_hash_password(const config *cfg, const char *password, char out[crypto_pwhash_STRBYTES]);

#endif
