/* route.h — the route table: method, path pattern (":name" captures one segment), handler,
 * flags, template and the declared input fields (body and query string). One table serves HTML and JSON alike. */
#ifndef PARLEY_ROUTE_H
#define PARLEY_ROUTE_H
#include <stddef.h>
#include "../core/arena.h"
#include "../core/err.h"
#include "validate.h"

typedef struct ctx ctx;
typedef err_t (*route_handler)(ctx *c);

enum route_flags {
    R_AUTH      = 1 << 0,   /* needs a logged-in user (401, or a redirect to /login for pages) */
    R_ANON_FORM = 1 << 1,   /* an anonymous HTML form: CSRF by the double-submit cookie */
    R_JSON_ONLY = 1 << 2,   /* always answers JSON (health checks) */
    R_UPLOAD    = 1 << 3,   /* a multipart/form-data body may carry files: they are streamed
                               into the media store and their ids given as "media_ids" */
    R_RAW_BODY  = 1 << 4,   /* any other body is the handler's to read (ctx.io), unread */
    R_PUBLIC    = 1 << 5,   /* no CSRF token or session needed (tus's OPTIONS) */
    R_SETUP     = 1 << 6,   /* open to an account that must first choose a new password or set
                               up two-factor sign-in (everything else answers 403 until then) */
    R_SECRET_PATH = 1 << 7, /* the path is a credential (/hooks/<secret>): logged as the pattern */
};

enum { ROUTE_MAX_PARAMS = 4, ROUTE_MAX_SEGMENT = 256 };

typedef struct route {
    const char *method;
    const char *pattern;
    route_handler fn;
    unsigned flags;
    const char *page;          /* template under pages/ for HTML, without ".cs" */
    const field_spec *fields;  /* NULL-name terminated, or NULL for none */
    route_handler refill;      /* on a failed HTML form, fills Data for re-rendering the page */
    const field_spec *query;   /* the query string's fields, checked like body fields */
} route;

typedef struct route_params {
    int n;
    const char *name[ROUTE_MAX_PARAMS];
    const char *value[ROUTE_MAX_PARAMS];
} route_params;

/* Finds the route for method and path. ERR_NOT_FOUND when no pattern matches the path;
 * ERR_METHOD_NOT_ALLOWED when one does but not for this method, with the methods that
 * would be allowed written to allow ("GET, POST"). HEAD matches GET routes. */
err_t route_match(const route *table, size_t n, const char *method, const char *path, arena *a,
                  const route **out, route_params *params, char *allow, size_t allow_len);
const char *route_param(const route_params *p, const char *name);

#endif
