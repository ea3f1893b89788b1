/* fuzz_multipart.c — the streaming multipart parser on any bytes, fed whole and in chunks:
 * the parts and bytes it reports must not depend on how the input was cut. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/multipart.h"

typedef struct trace {
    uint64_t h;            /* FNV-1a over every event */
    int open, parts;
} trace;

static void mix(trace *t, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) t->h = (t->h ^ s[i]) * 1099511628211ULL;
}

static int on_begin(void *ud, const mp_part *p)
{
    trace *t = ud;
    if (t->open) abort();                              /* parts never nest */
    if (strnlen(p->name, sizeof p->name) == sizeof p->name) abort();
    if (strnlen(p->filename, sizeof p->filename) == sizeof p->filename) abort();
    t->open = 1;
    t->parts++;
    mix(t, "B", 1);
    mix(t, p->name, strlen(p->name));
    mix(t, p->filename, strlen(p->filename));
    mix(t, &p->is_file, sizeof p->is_file);
    return 0;
}

static int on_data(void *ud, const char *d, size_t n)
{
    trace *t = ud;
    if (!t->open) abort();                             /* bytes only inside a part */
    mix(t, d, n);                                      /* chunk borders do not enter the hash */
    return 0;
}

static int on_end(void *ud)
{
    trace *t = ud;
    if (!t->open) abort();
    t->open = 0;
    mix(t, "E", 1);
    return 0;
}

static const mp_cb cb = {on_begin, on_data, on_end};

static err_t run(const uint8_t *data, size_t size, size_t step, trace *t)
{
    static mp m;                                       /* large: keep it off the stack */
    memset(t, 0, sizeof *t);
    t->h = 14695981039346656037ULL;
    err_t e = mp_init(&m, "multipart/form-data; boundary=XyZ");
    if (e) abort();
    for (size_t off = 0; off < size && !e; off += step)
        e = mp_feed(&m, (const char *)data + off, size - off < step ? size - off : step, &cb, t);
    if (!e) e = mp_finish(&m);
    if (t->parts > MP_MAX_PARTS) abort();
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t step = (size_t)data[0] % 17 + 1;
    trace whole, cut;
    err_t a = run(data + 1, size - 1, size, &whole);
    err_t b = run(data + 1, size - 1, step, &cut);
    if (a != b) abort();
    if (a == ERR_OK && (whole.h != cut.h || whole.parts != cut.parts)) abort();
    /* the boundary parameter itself, from any bytes */
    char ct[160];
    size_t n = size < sizeof ct - 31 ? size : sizeof ct - 31;
    memcpy(ct, "multipart/form-data; boundary=", 30);
    memcpy(ct + 30, data, n);
    ct[30 + n] = '\0';
    static mp m2;
    mp_init(&m2, ct);
    return 0;
}
