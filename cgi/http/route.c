/* route.c — see route.h. Linear scan: the table is small and matching is a few strcmp. */
#include "route.h"
#include <stdio.h>
#include <string.h>

/* Matches one pattern against path; fills params on success. */
static int route_try(const char *pattern, const char *path, arena *a, route_params *p)
{
    p->n = 0;
    const char *pp = pattern, *sp = path;
    for (;;) {
        if (*pp != '/' || *sp != '/') return *pp == *sp && *pp == '\0';
        pp++; sp++;
        const char *pe = strchr(pp, '/'), *se = strchr(sp, '/');
        size_t pl = pe ? (size_t)(pe - pp) : strlen(pp);
        size_t sl = se ? (size_t)(se - sp) : strlen(sp);
        if (pl && *pp == ':') {
            if (sl == 0 || sl > ROUTE_MAX_SEGMENT || p->n == ROUTE_MAX_PARAMS) return 0;
            p->name[p->n] = arena_strndup(a, pp + 1, pl - 1);
            p->value[p->n] = arena_strndup(a, sp, sl);
            if (!p->name[p->n] || !p->value[p->n]) return 0;
            p->n++;
        } else if (pl != sl || memcmp(pp, sp, pl)) {
            return 0;
        }
        pp += pl;
        sp += sl;
        if (!*pp && !*sp) return 1;
    }
}

err_t route_match(const route *table, size_t n, const char *method, const char *path, arena *a,
                  const route **out, route_params *params, char *allow, size_t allow_len)
{
    int path_found = 0;
    size_t used = 0;
    if (allow_len) allow[0] = '\0';
    const char *m = strcmp(method, "HEAD") ? method : "GET";
    for (size_t i = 0; i < n; i++) {
        route_params tmp;
        if (!route_try(table[i].pattern, path, a, &tmp)) continue;
        if (!strcmp(table[i].method, m)) {
            *out = &table[i];
            *params = tmp;
            return ERR_OK;
        }
        path_found = 1;
        if (allow_len && !strstr(allow, table[i].method)) {
            int w = snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", table[i].method);
            if (w > 0 && (size_t)w < allow_len - used) used += (size_t)w;
        }
    }
    return path_found ? ERR_METHOD_NOT_ALLOWED : ERR_NOT_FOUND;
}

const char *route_param(const route_params *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->name[i], name)) return p->value[i];
    return NULL;
}
