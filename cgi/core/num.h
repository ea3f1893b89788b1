/* num.h — the one parser of decimal ids in outside input (paths, queries, headers, lists,
 * channel names): 1 to 18 ASCII digits, nothing else (no sign, no spaces), so the value
 * always fits a long long. */
#ifndef PARLEY_NUM_H
#define PARLEY_NUM_H
#include <stddef.h>

/* 0 and *out = the value when s[0..n) is 1–18 digits; -1 otherwise (*out untouched). */
int num_parse(const char *s, size_t n, long long *out);

#endif
