/* tokens.h — personal API tokens ("pat_" + 256-bit secret) for scripts; PostgreSQL keeps
 * only the SHA-256 of the secret. */
#ifndef PARLEY_TOKENS_H
#define PARLEY_TOKENS_H
#include "ctx.h"
#include "secret.h"

enum { TOKEN_SECRET_LEN = 4 + SECRET_LEN };

extern const db_stmt tokens_stmts[];

/* Creates a token; *out is its JSON (new reference), secret receives the only copy. */
err_t tokens_create(ctx *c, long long uid, const char *name, json_t **out, char secret[TOKEN_SECRET_LEN + 1]);
/* ERR_UNAUTHORIZED unless the secret names a live token; notes its use. */
err_t tokens_lookup(ctx *c, const char *secret, long long *uid, long long *id);
err_t tokens_list(ctx *c, long long uid, json_t **out);
err_t tokens_revoke(ctx *c, long long uid, const char *id);       /* ERR_NOT_FOUND */

#endif
