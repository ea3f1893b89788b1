/* form.c — see form.h. */
#include "form.h"
#include <string.h>
#include "../core/utf8.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

err_t url_decode(arena *a, const char *s, size_t n, int plus_space, char **out, size_t *outlen)
{
    char *d = arena_alloc(a, n + 1);
    if (!d) return ERR_INTERNAL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (n - i < 3) return ERR_BAD_REQUEST;
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) return ERR_BAD_REQUEST;
            d[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            d[j++] = ' ';
        } else {
            d[j++] = c;
        }
    }
    d[j] = '\0';
    if (!utf8_valid(d, j)) return ERR_INVALID_UTF8;
    *out = d;
    if (outlen) *outlen = j;
    return ERR_OK;
}

err_t form_parse(arena *a, const char *s, size_t n, size_t max_pairs, http_pairs *out)
{
    out->items = NULL;
    out->n = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) if (s[i] == '&') count++;
    if (count + 1 > max_pairs) return ERR_BAD_REQUEST;
    out->items = arena_alloc(a, (count + 1) * sizeof *out->items);
    if (!out->items) return ERR_INTERNAL;
    size_t start = 0;
    while (start <= n) {
        const char *seg = s + start;
        const char *amp = memchr(seg, '&', n - start);
        size_t len = amp ? (size_t)(amp - seg) : n - start;
        if (len) {
            const char *eq = memchr(seg, '=', len);
            size_t nlen = eq ? (size_t)(eq - seg) : len;
            char *name, *value;
            size_t vlen = 0;
            err_t e = url_decode(a, seg, nlen, 1, &name, NULL);
            if (e) return e;
            e = eq ? url_decode(a, eq + 1, len - nlen - 1, 1, &value, &vlen)
                   : url_decode(a, "", 0, 1, &value, &vlen);
            if (e) return e;
            out->items[out->n++] = (http_pair){name, value, vlen};
        }
        if (!amp) break;
        start += len + 1;
    }
    return ERR_OK;
}

const char *pairs_get(const http_pairs *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->items[i].name, name)) return p->items[i].value;
    return NULL;
}

char *url_encode(arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *d = arena_alloc(a, strlen(s) * 3 + 1), *p = d;
    if (!d) return NULL;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    return d;
}
