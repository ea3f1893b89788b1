/* emoji.c — see emoji.h: a binary search of the generated table. */
#include "emoji.h"
#include <string.h>

/* memcmp order of s[0..n) against a NUL-terminated entry (the table is sorted by bytes). */
static int cmp(const char *s, size_t n, const char *e)
{
    size_t m = strlen(e);
    int c = memcmp(s, e, n < m ? n : m);
    if (c) return c;
    return n < m ? -1 : n > m ? 1 : 0;
}

const char *emoji_canonical(const char *s, size_t n)
{
    if (!s || n == 0 || n > emoji_table_longest) return NULL;
    size_t lo = 0, hi = emoji_table_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp(s, n, emoji_table[mid].utf8);
        if (c == 0) return emoji_table[emoji_table[mid].canonical].utf8;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}
