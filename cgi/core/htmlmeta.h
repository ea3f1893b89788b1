/* htmlmeta.h — the title, description and image a page gives for a link preview, from its
 * HTML: <meta property="og:…"> first, then twitter:…, then <meta name="description"> and
 * <title>. A bounded scanner of outside input, not an HTML parser: one pass over at most the
 * bytes given (stopping at <body> or </head>), no recursion, no allocation; comments,
 * <script> and <style> are skipped; entities decoded; whitespace collapsed; every value
 * valid UTF-8 without control characters, cut at a character boundary to its field's size.
 * The caller owns out and the input. */
#ifndef PARLEY_HTMLMETA_H
#define PARLEY_HTMLMETA_H
#include <stddef.h>

enum { HTMLMETA_TITLE_MAX = 300, HTMLMETA_DESC_MAX = 600, HTMLMETA_IMAGE_MAX = 2048 };

typedef struct htmlmeta {
    char title[HTMLMETA_TITLE_MAX + 1];         /* "" when the page has none */
    char description[HTMLMETA_DESC_MAX + 1];
    char image[HTMLMETA_IMAGE_MAX + 1];         /* as written (maybe relative): the caller resolves and checks it */
} htmlmeta;

/* Fills out from html[0..n) (any bytes). Returns how many of the three fields it found. */
int htmlmeta_extract(const char *html, size_t n, htmlmeta *out);

#endif
