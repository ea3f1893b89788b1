/* utf8.c — see utf8.h. Follows RFC 3629 table 2. */
#include "utf8.h"

int utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c == 0) return 0;
        if (c < 0x80) { i++; continue; }
        size_t len;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (n - i < len) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += len;
    }
    return 1;
}

size_t utf8_count(const char *str, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)str[i] & 0xC0) != 0x80) count++;
    return count;
}

int utf8_has_control(const char *str, size_t n, int allow_nl)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c < 0x20 || c == 0x7F) {
            if (allow_nl && (c == '\n' || c == '\r' || c == '\t')) continue;
            return 1;
        }
        if (c == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F) return 1; /* C1 */
    }
    return 0;
}

/* Decodes the code point at s[*i] and moves *i past it; a byte that starts no complete
 * sequence comes back as itself (>= 0x80, so it counts as non-ASCII) and moves one byte. */
static unsigned next_cp(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i];
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len == 1 || n - *i < len) { (*i)++; return c; }
    unsigned cp = c & (0x3F >> (len - 1));
    for (size_t k = 1; k < len; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) { (*i)++; return c; }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    *i += len;
    return cp;
}

/* Names must look like what they say: these reorder or hide text (Trojan Source, "gnp.exe"). */
int utf8_cp_refused(unsigned cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200B || cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
           cp == 0x061C ||                                   /* ARABIC LETTER MARK: a bidi mark too */
           cp == 0x00AD || cp == 0x034F || cp == 0x180E ||   /* soft hyphen, grapheme joiner, MVS */
           cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||   /* Hangul fillers */
           cp == 0x2800;                                     /* braille blank: names that look empty */
}

static int cp_joiner(unsigned cp) { return cp == 0x200C || cp == 0x200D; }

/* A neighbour a joiner may sit next to: a visible non-ASCII character. */
static int cp_joinable(unsigned cp) { return cp >= 0x80 && !utf8_cp_refused(cp) && !cp_joiner(cp); }

unsigned utf8_has_invisible(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned prev = 0;                      /* 0: no character before (start of text) */
    size_t i = 0;
    while (i < n) {
        unsigned cp = next_cp(s, n, &i);
        if (utf8_cp_refused(cp)) return cp;
        if (cp_joiner(cp)) {
            size_t j = i;
            unsigned next = j < n ? next_cp(s, n, &j) : 0;
            if (!prev || !cp_joinable(prev) || !next || !cp_joinable(next)) return cp;
        }
        prev = cp;
    }
    return 0;
}
