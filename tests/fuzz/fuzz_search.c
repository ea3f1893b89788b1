/* fuzz_search.c — the search query parser, the snippet escaper and the trigram test on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/app/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    search_query q;
    const char *msg = NULL;
    err_t e = search_parse(&a, (const char *)data, size, &q, &msg);
    if (e == ERR_OK) {
        if (!q.text || q.nwords > SEARCH_MAX_WORDS) abort();
        for (size_t i = 0; i < q.nwords; i++) if (!q.words[i] || !*q.words[i]) abort();
        if (q.from && (strlen(q.from) < 3 || strlen(q.from) > 32)) abort();
        if (q.in && (!*q.in || strlen(q.in) > SEARCH_MAX_IN)) abort();
        if ((q.before[0] && !search_date_ok(q.before, strlen(q.before))) ||
            (q.after[0] && !search_date_ok(q.after, strlen(q.after))) || (q.on[0] && !search_date_ok(q.on, strlen(q.on))))
            abort();
        if (!search_words_joined(&a, &q)) abort();
    } else if (e != ERR_INVALID_FIELD || !msg) {
        abort();
    }
    /* the escaper: no raw '<' except the marks it adds, marks balanced */
    char *s = malloc(size + 1);
    if (!s) { arena_free(&a); return 0; }
    memcpy(s, data, size);
    s[size] = '\0';
    /* whether a title search may start from the trigram indexes: 1 only beside three word bytes */
    if (search_has_trigram(s) && strlen(s) < 3) abort();
    /* the input's last bytes as the words to mark, folding é and Æ */
    char *h = search_snippet_html(&a, s, s + (size > 6 ? size - 6 : 0), "\xc3\xa9\x1f" "e\x1e\xc3\x86\x1f" "ae");
    if (!h) abort();
    int open = 0;
    for (const char *p = h; *p; p++) {
        if (*p == '>' ) abort();
        if (*p != '<') continue;
        if (!strncmp(p, "<mark>", 6)) { if (open) abort(); open = 1; p += 5; }
        else if (!strncmp(p, "</mark>", 7)) { if (!open) abort(); open = 0; p += 6; }
        else abort();
    }
    if (open) abort();
    free(s);
    arena_free(&a);
    return 0;
}
