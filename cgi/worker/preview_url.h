/* preview_url.h — a link preview's image URL: the page's og:image, as written, resolved
 * against the page's address. Pure (no I/O, nothing allocated): outside input from any page,
 * so it has a fuzz target (tests/fuzz/fuzz_preview_url.c). */
#ifndef PARLEY_PREVIEW_URL_H
#define PARLEY_PREVIEW_URL_H
#include <stddef.h>

/* ref (an og:image as written: absolute, scheme-relative "//h/p", root-relative "/p" or
 * relative "p") resolved against base (the page's final http(s) URL) into out (cap bytes);
 * surrounding spaces and a #fragment dropped; anything that is not then an http(s) URL the
 * outbound guard's parser accepts (data:, javascript:, a user name…) refused. 0 or -1.
 * Pure: no I/O. */
int preview_image_url(const char *base, const char *ref, char *out, size_t cap);

#endif
