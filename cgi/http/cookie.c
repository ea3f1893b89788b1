/* cookie.c — see cookie.h. */
#include "cookie.h"
#include <stdio.h>
#include <string.h>

err_t cookie_parse(arena *a, const char *s, size_t n, size_t max_pairs, http_pairs *out)
{
    out->n = 0;
    out->items = arena_alloc(a, (max_pairs ? max_pairs : 1) * sizeof *out->items);
    if (!out->items) return ERR_INTERNAL;
    size_t i = 0;
    while (i < n && out->n < max_pairs) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) i++;
        size_t start = i;
        while (i < n && s[i] != ';') i++;
        size_t end = i;
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t')) end--;
        const char *eq = memchr(s + start, '=', end - start);
        if (!eq || eq == s + start) continue;              /* no name: skip */
        size_t nlen = (size_t)(eq - (s + start));
        while (nlen && s[start + nlen - 1] == ' ') nlen--;
        const char *v = eq + 1;
        size_t vlen = (size_t)(s + end - v);
        while (vlen && *v == ' ') { v++; vlen--; }
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') { v++; vlen -= 2; }
        if (memchr(s + start, '\0', end - start)) continue;
        char *name = arena_strndup(a, s + start, nlen);
        char *value = arena_strndup(a, v, vlen);
        if (!name || !value) return ERR_INTERNAL;
        out->items[out->n++] = (http_pair){name, value, vlen};
    }
    return ERR_OK;
}

char *cookie_build(arena *a, const char *name, const char *value, long max_age, int secure)
{
    char age[40] = "";
    if (max_age >= 0) snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
    return arena_printf(a, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value,
                        secure ? "; Secure" : "", age);
}
