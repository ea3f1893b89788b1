/* answer.h — an error as the API answers it: the status from the error table, Retry-After
 * and WWW-Authenticate where they apply, and {"error":{"code","message","field"}}. The page
 * server's dispatch_error uses it for /api/v1/ and the events hub for everything. */
#ifndef PARLEY_ANSWER_H
#define PARLEY_ANSWER_H
#include "ctx.h"

/* The status and headers of error e in c->rs (and the log line of an internal error). */
void answer_error_head(ctx *c, err_t e);
/* The whole JSON answer of error e (with c->svc's detail) in c->rs. */
void answer_error_json(ctx *c, err_t e);

#endif
