/* pgarr.h — PostgreSQL array literals for statement parameters bound as arrays
 * ($1::bigint[], $2::text[]): "{1,2,3}", "{\"a b\",\"say \\\"hi\\\"\"}", "{}".
 *
 * The one place they are written, so that no caller escapes by hand: every text element is
 * double-quoted with '"' and '\' escaped, so any text (commas, braces, spaces, the word NULL)
 * arrives as itself; ids are written as numbers. A literal grows in a malloc'd buffer that
 * the pgarr owns: pgarr_done hands out a copy in the caller's arena and frees it; a batch
 * loop uses pgarr_close, then pgarr_reset for the next batch, and pgarr_free at the end.
 * An allocation that failed anywhere makes pgarr_close and pgarr_done answer NULL. A pgarr
 * set to zero ({0}) is an empty one, as after pgarr_init. */
#ifndef PARLEY_PGARR_H
#define PARLEY_PGARR_H
#include <stddef.h>
#include "../core/arena.h"
#include "../core/buf.h"

typedef struct pgarr {
    buf b;
    size_t n;          /* elements so far */
} pgarr;

void pgarr_init(pgarr *x);
void pgarr_id(pgarr *x, long long v);
/* Text of n bytes (it ends at a NUL before that: PostgreSQL's text holds none). */
void pgarr_textn(pgarr *x, const char *s, size_t n);
void pgarr_text(pgarr *x, const char *s);
/* The literal, "{…}", in x's own buffer (until pgarr_reset or pgarr_free); NULL when an
 * allocation failed. Nothing may be added after it but through pgarr_reset. */
const char *pgarr_close(pgarr *x);
/* Empty again, keeping the buffer. */
void pgarr_reset(pgarr *x);
void pgarr_free(pgarr *x);
/* The literal copied into a (NULL when any allocation failed); x's buffer is freed either way. */
const char *pgarr_done(pgarr *x, arena *a);

/* The literal of n ids at once (n may be 0: "{}"), in a. */
const char *pgarr_ids(arena *a, const long long *v, size_t n);

#endif
