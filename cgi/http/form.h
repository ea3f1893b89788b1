/* form.h — application/x-www-form-urlencoded (query strings and form bodies) and the
 * percent-decoding under it. Results live in the caller's arena. */
#ifndef PARLEY_FORM_H
#define PARLEY_FORM_H
#include <stddef.h>
#include "../core/arena.h"
#include "../core/err.h"

typedef struct http_pair { const char *name; const char *value; size_t value_len; } http_pair;
typedef struct http_pairs { http_pair *items; size_t n; } http_pairs;

/* Decodes %XX (and '+' as space when plus_space); rejects a bad escape (ERR_BAD_REQUEST) and
 * a result that is not UTF-8 or holds NUL (ERR_INVALID_UTF8). */
err_t url_decode(arena *a, const char *s, size_t n, int plus_space, char **out, size_t *outlen);
/* Splits s[0..n) into at most max_pairs pairs; more is ERR_BAD_REQUEST. */
err_t form_parse(arena *a, const char *s, size_t n, size_t max_pairs, http_pairs *out);
/* Percent-encodes everything but unreserved characters and '/' (into the arena). */
char *url_encode(arena *a, const char *s);
/* First value for name, or NULL. */
const char *pairs_get(const http_pairs *p, const char *name);

#endif
