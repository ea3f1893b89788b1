/* fuzz_query.c — query strings: form_parse, pairs_get, url_decode and url_encode round trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/core/utf8.h"
#include "../../cgi/http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    arena a;
    arena_init(&a);
    http_pairs p;
    if (form_parse(&a, s, size, 100, &p) == ERR_OK) {
        if (p.n > 100) abort();
        for (size_t i = 0; i < p.n; i++) {
            const char *v = pairs_get(&p, p.items[i].name);
            if (!v) abort();                                  /* every name can be found */
            if (strlen(p.items[i].value) != p.items[i].value_len) abort();   /* no NUL inside */
            if (!utf8_valid(p.items[i].name, strlen(p.items[i].name))) abort();
        }
    }
    for (int plus = 0; plus <= 1; plus++) {
        char *out;
        size_t len;
        err_t e = url_decode(&a, s, size, plus, &out, &len);
        if (e == ERR_OK) {
            if (strlen(out) != len || !utf8_valid(out, len)) abort();
            (void)utf8_count(out, len);
            (void)utf8_has_control(out, len, plus);
            /* encoding the result and decoding it again gives the same text */
            char *enc = url_encode(&a, out), *back;
            size_t blen;
            if (!enc || url_decode(&a, enc, strlen(enc), 0, &back, &blen) != ERR_OK) abort();
            if (blen != len || memcmp(back, out, len)) abort();
        } else if (e != ERR_BAD_REQUEST && e != ERR_INVALID_UTF8) {
            abort();
        }
    }
    arena_free(&a);
    return 0;
}
