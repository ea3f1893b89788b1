/* fuzz_req.c — the CGI environment of a request (URI, cookies, length, forwarded-for), then
 * routing. The input is split at NUL bytes into the variable values. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/req.h"
#include "../../cgi/http/route.h"

static const char *lookup(void *ud, const char *name)
{
    size_t n = strlen(name);
    for (char **e = ud; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

static const route table[] = {
    {"GET", "/", NULL, 0, NULL, NULL, NULL},
    {"GET", "/login", NULL, 0, NULL, NULL, NULL},
    {"POST", "/login", NULL, 0, NULL, NULL, NULL},
    {"GET", "/users/:id", NULL, 0, NULL, NULL, NULL},
    {"DELETE", "/sessions/:id", NULL, 0, NULL, NULL, NULL},
    {"GET", "/c/:conv/m/:msg", NULL, 0, NULL, NULL, NULL},
};

static const char *const names[] = {
    "REQUEST_URI", "HTTP_COOKIE", "CONTENT_LENGTH", "HTTP_X_FORWARDED_FOR", "REQUEST_METHOD",
};
enum { NV = sizeof names / sizeof names[0] };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *env[NV + 3] = {0};
    size_t ne = 0, pos = 0;
    for (size_t i = 0; i < NV && pos <= size; i++) {
        const uint8_t *end = memchr(data + pos, 0, size - pos);
        size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
        size_t nl = strlen(names[i]);
        char *v = malloc(nl + 1 + len + 1);
        if (!v) abort();
        memcpy(v, names[i], nl);
        v[nl] = '=';
        memcpy(v + nl + 1, data + pos, len);
        v[nl + 1 + len] = '\0';
        env[ne++] = v;
        pos += len + 1;
        if (!end) break;
    }
    env[ne++] = strdup("REMOTE_ADDR=127.0.0.1");
    env[ne] = NULL;

    arena a;
    arena_init(&a);
    req r;
    err_t e = req_parse(&r, &a, lookup, env, env, "127.0.0.1");
    if (e == ERR_OK) {
        if (!r.path || r.path[0] != '/' || !r.method || !r.client_ip || !*r.client_ip) abort();
        if (r.content_length < -1) abort();
        for (size_t i = 0; i < r.cookies.n; i++) (void)req_cookie(&r, r.cookies.items[i].name);
        for (size_t i = 0; i < r.query.n; i++)
            if (!req_query(&r, r.query.items[i].name)) abort();
        const route *rt = NULL;
        route_params params;
        char allow[64];
        err_t re = route_match(table, sizeof table / sizeof table[0], r.method, r.path, &a, &rt,
                               &params, allow, sizeof allow);
        if (re == ERR_OK) {
            if (!rt || params.n < 0 || params.n > ROUTE_MAX_PARAMS) abort();
            for (int i = 0; i < params.n; i++)
                if (route_param(&params, params.name[i]) == NULL ||
                    strlen(params.value[i]) > ROUTE_MAX_SEGMENT || !*params.value[i]) abort();
        } else if (re == ERR_METHOD_NOT_ALLOWED) {
            if (!allow[0]) abort();
        } else if (re != ERR_NOT_FOUND) {
            abort();
        }
    }
    arena_free(&a);
    for (size_t i = 0; i < ne; i++) free(env[i]);
    return 0;
}
