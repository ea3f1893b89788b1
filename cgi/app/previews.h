/* previews.h — link previews: the first http(s) link of a message, fetched by parley-worker
 * (cgi/worker/preview_job.c) into a per-URL cache (link_previews, sql/025_pickers.sql),
 * shown under the message; its sender may remove it. None in end-to-end encrypted ones. */
#ifndef PARLEY_PREVIEWS_H
#define PARLEY_PREVIEWS_H
#include <stddef.h>
#include <jansson.h>
#include "svc.h"
#include "conv.h"

extern const db_stmt preview_stmts[];

/* The first http(s) link of body[0..n) (a whole word: after a start or a non-alphanumeric
 * character; trailing punctuation and a #fragment left out) into url (size cap), syntax
 * checked by the outbound guard's parser. 1 when found, else 0. Pure: no I/O. */
int preview_first_link(const char *body, size_t n, char *url, size_t cap);
/* Adds "preview" {url, host, title, description, and image {url, width, height} when the
 * page gave one the worker could make a thumbnail of} to the messages of arr (ascending by seq)
 * whose preview is ready and not removed. */
err_t preview_attach(svc *c, long long conv_id, json_t *arr);

#endif
