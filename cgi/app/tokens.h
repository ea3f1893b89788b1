/* tokens.h — personal API tokens ("pat_" + 256-bit secret) for scripts; PostgreSQL keeps
 * only the SHA-256 of the secret. */
#ifndef PARLEY_TOKENS_H
#define PARLEY_TOKENS_H
#include "ctx.h"
#include "secret.h"

enum { TOKEN_SECRET_LEN = 4 + SECRET_LEN };

extern const db_stmt tokens_stmts[];

/* Creates a token; *out is its JSON (new reference), secret receives the only copy. */
err_t tokens_create(svc *c, long long uid, const char *name, json_t **out, char secret[TOKEN_SECRET_LEN + 1]);
/* ERR_UNAUTHORIZED unless the secret names a live token; notes its use. */
err_t tokens_lookup(svc *c, const char *secret, long long *uid, long long *id);
/* alive[i] = 1 when token ids[i] still exists; for the events hub's re-check. */
err_t tokens_alive(svc *c, const long long *ids, size_t n, int *alive);
err_t tokens_list(svc *c, long long uid, json_t **out);
/* Revokes a token of uid (ERR_NOT_FOUND if it is not theirs) and ends its streams. */
err_t tokens_revoke(svc *c, long long uid, const char *id);
/* Revokes every token of uid but except_id (0: none kept), and ends their streams;
 * *revoked counts them. */
err_t tokens_revoke_all(svc *c, long long uid, long long except_id, size_t *revoked);

#endif
