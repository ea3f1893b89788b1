/* people.h — helpers shared by the social modules: path ids, finding users by id or name,
 * and whether a block stands between two people. */
#ifndef PARLEY_PEOPLE_H
#define PARLEY_PEOPLE_H
#include "ctx.h"

extern const db_stmt people_stmts[];

/* The numeric path parameter name, or ERR_NOT_FOUND when it is not a positive id. */
err_t param_id(ctx *c, const char *name, long long *out);
/* 1 when blocker has blocked blocked. */
err_t people_blocks(svc *c, long long blocker, long long blocked, int *out);
/* 1 when either has blocked the other. */
err_t people_block_between(svc *c, long long a, long long b, int *out);
/* Resolves a list given as a JSON array of ids, or a text of ids and usernames separated by
 * commas or spaces, into at most max user rows (each once). ERR_NOT_FOUND names the one
 * missing in c->err_msg; field is used for errors. */
err_t people_resolve_list(svc *c, json_t *v, const char *field, size_t max, user_row ***out, size_t *n);
/* A user from an input that carries "user_id" or "username". */
err_t people_from_input(ctx *c, user_row **out);
/* A text parameter as %-free, _-free LIKE pattern prefix (escaped with backslashes). */
const char *people_like_escape(arena *a, const char *s);

#endif
