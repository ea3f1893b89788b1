/* pgarr.c — PostgreSQL array literals for array parameters (pgarr.h). */
#include "pgarr.h"
#include <string.h>

void pgarr_init(pgarr *x)
{
    buf_init(&x->b);
    x->n = 0;
}

void pgarr_id(pgarr *x, long long v)
{
    buf_printf(&x->b, "%c%lld", x->n++ ? ',' : '{', v);
}

void pgarr_textn(pgarr *x, const char *s, size_t n)
{
    buf_puts(&x->b, x->n++ ? ",\"" : "{\"");
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == '"' || s[i] == '\\') buf_putc(&x->b, '\\');
        buf_putc(&x->b, s[i]);
    }
    buf_putc(&x->b, '"');
}

void pgarr_text(pgarr *x, const char *s)
{
    pgarr_textn(x, s, strlen(s));
}

const char *pgarr_close(pgarr *x)
{
    buf_puts(&x->b, x->n ? "}" : "{}");
    return x->b.oom ? NULL : x->b.data;
}

void pgarr_reset(pgarr *x)
{
    buf_reset(&x->b);
    x->n = 0;
}

void pgarr_free(pgarr *x)
{
    buf_free(&x->b);
    x->n = 0;
}

const char *pgarr_done(pgarr *x, arena *a)
{
    const char *s = pgarr_close(x);
    if (s) s = arena_strndup(a, s, x->b.len);
    pgarr_free(x);
    return s;
}

const char *pgarr_ids(arena *a, const long long *v, size_t n)
{
    pgarr x;
    pgarr_init(&x);
    for (size_t i = 0; i < n; i++) pgarr_id(&x, v[i]);
    return pgarr_done(&x, a);
}
