/* ctx.h — everything one request's handler sees: the service context (the thread's
 * database and Redis connections, the arena, the caller, the error detail), the parsed
 * request, its declared input, and the result. Only handlers and the request pipeline see
 * a ctx; the domain takes the svc inside it. */
#ifndef PARLEY_CTX_H
#define PARLEY_CTX_H
#include <jansson.h>
#include "../core/arena.h"
#include "../core/config.h"
#include "../http/req.h"
#include "../http/resp.h"
#include "../http/route.h"
#include "../store/db.h"
#include "../store/kv.h"
#include "svc.h"
#include "../http/io.h"

typedef enum auth_kind { AUTH_NONE, AUTH_COOKIE, AUTH_BEARER, AUTH_TOKEN } auth_kind;

struct ctx {
    svc svc;                 /* the domain's view: connections, arena, user, error detail */
    resp *rs;
    req rq;
    const route *rt;
    route_params params;
    json_t *in;              /* declared input fields (owned; decref'd after the request) */
    json_t *q;               /* declared query fields, checked (owned, likewise) */
    json_t *out;             /* the handler's result (owned) */
    int status;              /* success status: 200, 201 or 204 */
    const char *redirect;    /* HTML: 303 here after success */
    const char *page;        /* HTML: render this page instead of the route's */

    auth_kind auth;
    char sess_id[65];        /* hex id of the session in use ("" for none or API tokens) */
    long long token_id;      /* the personal API token in use, or 0 */
    const char *csrf;        /* the token forms must carry */
    http_io *io;             /* the request's input, for R_RAW_BODY handlers */
    int csrf_ok;             /* the CSRF check passed already (before a form's first file) */
    int raw;                 /* the handler wrote the answer's type and body itself (an image) */
    char request_id[33];     /* X-Request-Id: the trusted proxy's, or 16 random hex digits */
};

/* A request header by its CGI name ("HTTP_UPLOAD_OFFSET"), or NULL. */
const char *ctx_header(ctx *c, const char *cgi_name);

/* svc_fail on the request's service context, for `return ctx_fail(...)` in handlers. */
err_t ctx_fail(ctx *c, err_t e, const char *field, const char *msg);
/* A declared string input, or NULL when absent. */
const char *ctx_str(ctx *c, const char *name);
/* A declared query field: the text, or NULL when absent. */
const char *ctx_qstr(ctx *c, const char *name);
/* A declared integer query field into *out: 1 when present, 0 (and *out 0) when absent. */
int ctx_qint(ctx *c, const char *name, long long *out);
void ctx_set_cookie(ctx *c, const char *name, const char *value, long max_age);

#endif
