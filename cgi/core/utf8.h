/* utf8.h — strict UTF-8 validation (no overlongs, no surrogates, no NUL), counting, and the
 * character classes that text fields refuse. */
#ifndef PARLEY_UTF8_H
#define PARLEY_UTF8_H
#include <stddef.h>

/* 1 when s[0..n) is valid UTF-8 with no NUL byte, else 0. */
int utf8_valid(const char *s, size_t n);
/* Code points in valid UTF-8 s[0..n). */
size_t utf8_count(const char *s, size_t n);
/* 1 when valid text has a control character (C0, DEL or C1); newlines allowed if allow_nl. */
int utf8_has_control(const char *s, size_t n, int allow_nl);
/* The first invisible or direction-changing code point in s[0..n) (bidi controls and marks,
 * zero-width space, word joiners, BOM, U+2028/9, and characters that make a name look blank:
 * soft hyphen, Hangul fillers, braille blank…; utf8_cp_refused), else 0. ZWNJ and ZWJ pass only between two
 * visible non-ASCII characters (Persian, Indic scripts, emoji sequences). Safe on any bytes. */
unsigned utf8_has_invisible(const char *s, size_t n);
/* 1 when code point cp is refused wherever it stands (the joiners ZWNJ and ZWJ are not:
 * they depend on their neighbours). */
int utf8_cp_refused(unsigned cp);

#endif
