/* fuzz_cookie.c — the Cookie header, parsed leniently, and Set-Cookie values built from it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    http_pairs p;
    size_t max = size ? (size_t)(data[0] % 60) : 50;
    if (cookie_parse(&a, (const char *)data, size, max, &p) != ERR_OK) abort();
    if (p.n > max) abort();
    for (size_t i = 0; i < p.n; i++) {
        const char *name = p.items[i].name, *value = p.items[i].value;
        if (!*name || strchr(name, ';') || strchr(value, ';')) abort();
        if (strlen(value) != p.items[i].value_len) abort();
        if (!pairs_get(&p, name)) abort();
        char *c = cookie_build(&a, name, value, (long)i - 1, (int)(i & 1));
        if (!c || !strstr(c, "; HttpOnly; SameSite=Lax")) abort();
    }
    arena_free(&a);
    return 0;
}
