/* format.h — message bodies to safe HTML: the one place user text becomes raw HTML.
 * Everything is escaped; only a small subset is formatted: **bold**, *italic* / _italic_,
 * `code`, ```code blocks```, http(s):// links and @username mentions. Newlines become <br>.
 * All results live in the caller's arena; NULL only when memory runs out. */
#ifndef PARLEY_FORMAT_H
#define PARLEY_FORMAT_H
#include <stddef.h>
#include "../core/arena.h"

/* Longest URL turned into a link; longer ones stay text. */
enum { FMT_MAX_URL = 2048 };

/* Renders a message body (valid UTF-8, already checked) as safe HTML into the arena.
 * viewer may be NULL or the viewing user's username (lower case) for mention-me; when
 * mentions_viewer is not NULL it says whether the body mentions viewer. */
char *fmt_message(arena *a, const char *body, size_t len, const char *viewer, int *mentions_viewer);
/* Fills up to max lower-case usernames mentioned (@name, 3–32 of a-z0-9_.-) into out (arena
 * strings); returns the count; duplicates once. Mentions inside code are not counted, so
 * the list is exactly the mentions fmt_message links. */
size_t fmt_mentions(arena *a, const char *body, size_t len, const char **out, size_t max);
/* A plain-text excerpt of at most max_chars characters (for reply quotes and the inbox):
 * formatting markers kept as typed, newlines become spaces, CR dropped, cut on a character
 * boundary with "…" (counted in max_chars) when shortened. Not escaped: it is text. */
char *fmt_excerpt(arena *a, const char *body, size_t len, size_t max_chars);
/* A reply quote: fmt_excerpt's text formatted as fmt_message formats a body, without links
 * (a quote is itself a link), as safe HTML. */
char *fmt_quote(arena *a, const char *body, size_t len, size_t max_chars);

#endif
