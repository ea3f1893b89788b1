/* ctx.h — everything one request's handler sees: the parsed request, its declared input,
 * the caller's identity, the thread's database and Redis connections, and the result. */
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

typedef struct user_row {
    long long id;
    const char *username, *display_name, *status_text, *created_at;   /* arena-owned */
    int read_receipts;      /* shares (and sees) read receipts */
    int show_presence;      /* shares (and sees) presence */
} user_row;

typedef enum auth_kind { AUTH_NONE, AUTH_COOKIE, AUTH_BEARER, AUTH_TOKEN } auth_kind;

struct ctx {
    const config *cfg;
    db *db;
    kv *kv;
    arena *a;
    resp *rs;
    req rq;
    const route *rt;
    route_params params;
    json_t *in;              /* declared input fields (owned; decref'd after the request) */
    json_t *out;             /* the handler's result (owned) */
    int status;              /* success status: 200, 201 or 204 */
    const char *redirect;    /* HTML: 303 here after success */
    const char *page;        /* HTML: render this page instead of the route's */

    user_row *user;          /* NULL when anonymous */
    auth_kind auth;
    char sess_id[65];        /* hex id of the session in use ("" for none or API tokens) */
    long long token_id;      /* the personal API token in use, or 0 */
    const char *csrf;        /* the token forms must carry */

    const char *err_field;   /* error detail for the response */
    const char *err_msg;
    long retry_after;
};

/* Records the detail of an error and returns it, for `return ctx_fail(...)`. */
err_t ctx_fail(ctx *c, err_t e, const char *field, const char *msg);
/* A declared string input, or NULL when absent. */
const char *ctx_str(ctx *c, const char *name);
void ctx_set_cookie(ctx *c, const char *name, const char *value, long max_age);
/* The public JSON of a user (new reference). */
json_t *user_json(const user_row *u);

#endif
