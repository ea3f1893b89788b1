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
/* A fresh service context on the worker's connections, for work without a request (the
 * command line, the events hub's threads): the arena is reset, nobody acts. */
typedef struct svc svc;
void worker_svc(worker *w, svc *s);
/* A fresh request context on the worker's connections (the arena and response reset). */
typedef struct ctx ctx;
void worker_ctx(worker *w, ctx *c);
/* Serves one request completely (always writes a response). */
void dispatch(worker *w, http_io *io);
/* Turns e (and c->err_field, c->err_msg) into the response in c->rs: JSON for the API,
 * the failed form or the error page otherwise. The one place errors become responses. */
void dispatch_error(ctx *c, err_t e);

#endif
