/* send_jobs.h — what the sending statement (msg_insert, messages.c) needs to queue a new
 * message's jobs itself: Web Push, the e-mail digest check, outgoing webhooks and the link
 * preview are conditional INSERTs into jobs in that one statement, so they commit with the
 * message (never without it) and a send is one round trip. This file decides, from what the
 * C side knows (configuration, sender, body), which of them may apply; the statement checks
 * the rest (who has a subscription, who wants digests, which webhook's trigger matches). */
#ifndef PARLEY_SEND_JOBS_H
#define PARLEY_SEND_JOBS_H
#include "svc.h"
#include "conv.h"

enum { SEND_JOBS_NPARAMS = 5 };

/* The statement's job parameters, in the arena (NULL: that kind is off for this send):
 * [0] push delay in seconds (push on, not a system message), [1] "true" when digests are on,
 * [2] the body's first word, ASCII lower-cased (outgoing webhooks apply: a person's text in
 * a group or channel), [3] the @names of the body as a text[] literal, lower-cased (for
 * webhooks that want a mention of their bot), [4] the body's first link (previews).
 * body NULL: an end-to-end encrypted message. 0, or ERR_INTERNAL when out of memory. */
err_t send_jobs_params(svc *c, const conv *cv, const char *body, const char *out[SEND_JOBS_NPARAMS]);

/* Pure helpers (unit-tested): the first whitespace-delimited word of body after leading
 * blanks, lower-cased ASCII, in the arena; and the names after '@' at a word start (a-z 0-9
 * _ . -, lower-cased) as a PostgreSQL text[] literal, "{}" for none. Together they decide
 * exactly what hooks_out_triggered decides. */
const char *send_jobs_first_word(arena *a, const char *body);
const char *send_jobs_at_names(arena *a, const char *body);

#endif
