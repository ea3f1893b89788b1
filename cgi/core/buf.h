/* buf.h — the one growable byte buffer (malloc-backed, always NUL-terminated).
 * The owner calls buf_free; buf_take hands the memory to the caller. */
#ifndef PARLEY_BUF_H
#define PARLEY_BUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct buf {
    char *data;
    size_t len, cap;
    int oom;           /* set once an append failed; later appends are no-ops */
} buf;

void buf_init(buf *b);
void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(buf *b);            /* len = 0, memory kept */
void buf_free(buf *b);
const char *buf_str(const buf *b); /* never NULL */

#endif
