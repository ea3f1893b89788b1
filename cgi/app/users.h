/* users.h — accounts: rows in PostgreSQL, passwords as Argon2id strings (libsodium). */
#ifndef PARLEY_USERS_H
#define PARLEY_USERS_H
#include <sodium.h>
#include "ctx.h"

extern const db_stmt users_stmts[];

/* ERR_USERNAME_TAKEN when the name exists ignoring case. */
err_t users_create(ctx *c, const char *username, const char *display_name, const char *password, user_row **out);
err_t users_by_id(ctx *c, long long id, user_row **out);          /* ERR_NOT_FOUND */
err_t users_by_username(ctx *c, const char *username, user_row **out);
/* ERR_INVALID_CREDENTIALS for an unknown user or a wrong password, taking the same time. */
err_t users_authenticate(ctx *c, const char *username, const char *password, user_row **out);
/* NULL (or -1 for the two settings) leaves a field as it is. */
err_t users_update_profile(ctx *c, long long id, const char *display_name, const char *status_text,
                           int read_receipts, int show_presence, user_row **out);
err_t users_check_password(ctx *c, long long id, const char *password);   /* ERR_WRONG_PASSWORD */
err_t users_set_password(ctx *c, long long id, const char *password);
/* Once at start, before threads: prepares the hash used to time unknown-user logins. */
int users_init(const config *cfg);
int users_hash_password(const config *cfg, const char *password, char out[crypto_pwhash_STRBYTES]);

#endif
