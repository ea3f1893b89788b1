/* buf.c — see buf.h. */
#include "buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b) { b->data = NULL; b->len = b->cap = 0; b->oom = 0; }

static int buf_grow(buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) { b->oom = 1; return -1; }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) { b->oom = 1; return -1; }
    b->data = p;
    b->cap = cap;
    return 0;
}

void buf_append(buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n)) return;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s) { buf_append(b, s, strlen(s)); }
void buf_putc(buf *b, char c) { buf_append(b, &c, 1); }

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_reset(buf *b) { b->len = 0; b->oom = 0; if (b->data) b->data[0] = '\0'; }
void buf_free(buf *b) { free(b->data); buf_init(b); }
const char *buf_str(const buf *b) { return b->data ? b->data : ""; }
