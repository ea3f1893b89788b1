/* cookie.h — the Cookie request header, and Set-Cookie values built in one place so every
 * cookie gets HttpOnly, SameSite=Lax, Path=/ and Secure under HTTPS. */
#ifndef PARLEY_COOKIE_H
#define PARLEY_COOKIE_H
#include "form.h"

/* Parses "a=1; b=2" leniently (malformed pieces are skipped, as browsers do); at most
 * max_pairs cookies are kept. Values are not decoded. Never fails except on OOM. */
err_t cookie_parse(arena *a, const char *s, size_t n, size_t max_pairs, http_pairs *out);
/* "name=value; Path=/; HttpOnly; SameSite=Lax[; Secure][; Max-Age=n]"; max_age < 0 omits it
 * (a session cookie), 0 deletes the cookie. */
char *cookie_build(arena *a, const char *name, const char *value, long max_age, int secure);

#endif
