/* fuzz_format.c — the message formatter: any valid UTF-8 body renders to well-formed HTML made
 * of our tags only; mentions and excerpts stay within their limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/app/format.h"
#include "../../cgi/core/utf8.h"
#include "../support/html_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    if (!utf8_valid(body, size)) return 0;                  /* the API checks this first */
    arena a;
    arena_init(&a);
    int bob = 0;
    char *html = fmt_message(&a, body, size, "bob", &bob);
    if (!html || !html_ok(html)) abort();
    if (bob != (strstr(html, "class=\"mention mention-me\"") != NULL)) abort();   /* said = shown */
    html = fmt_message(&a, body, size, NULL, NULL);
    if (!html || !html_ok(html) || strstr(html, "class=\"mention mention-me\"")) abort();
    const char *out[8];
    size_t n = fmt_mentions(&a, body, size, out, 8);
    if (n > 8) abort();
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(out[i]);
        if (l < 3 || l > 32 || out[i][l - 1] == '.') abort();
        for (size_t j = 0; j < i; j++)
            if (!strcmp(out[i], out[j])) abort();
    }
    char *ex = fmt_excerpt(&a, body, size, 40);
    if (!ex || !utf8_valid(ex, strlen(ex)) || utf8_count(ex, strlen(ex)) > 40 || strchr(ex, '\n') || strchr(ex, '\r'))
        abort();
    arena_free(&a);
    return 0;
}
