/* dispatch.h — one worker thread's resources and the request pipeline:
 * parse → route → read body → authenticate → CSRF → validate → handler → JSON or HTML. */
#ifndef PARLEY_DISPATCH_H
#define PARLEY_DISPATCH_H
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/config.h"
#include "../http/io.h"
#include "../http/resp.h"
#include "../store/db.h"
#include "../store/kv.h"

typedef struct worker {
    const config *cfg;
    db db;           /* this thread's PostgreSQL connection */
    kv kv;           /* this thread's Redis connection */
    arena a;         /* reset at the start of every request */
    resp rs;
    buf out;         /* the serialised response */
} worker;

void worker_init(worker *w, const config *cfg);
void worker_free(worker *w);
/* Serves one request completely (always writes a response). */
void dispatch(worker *w, http_io *io);
/* Resolves c->user from the request's bearer token or session cookie (c->rq parsed). */
typedef struct ctx ctx;
err_t dispatch_auth(ctx *c);
/* Every statement table, for db_init (NULL-terminated). */
extern const db_stmt *const dispatch_stmts[];

#endif
