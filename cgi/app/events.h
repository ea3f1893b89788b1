/* events.h — publishing real-time events after a change has committed. Each event gets a
 * global id (INCR parley:evseq) and is PUBLISHed as compact JSON on parley:u:<uid> for
 * every recipient; the events hub turns those into SSE streams and long-polls. Redis is
 * only the doorbell: a failure here is logged and never fails the request (the change is
 * committed; clients resync). Never call these inside db_begin/db_commit. */
#ifndef PARLEY_EVENTS_H
#define PARLEY_EVENTS_H
#include "ctx.h"

extern const db_stmt ev_stmts[];

/* Publishes event to every current member of conv_id, plus extra_uid (0: nobody; e.g. the
 * removed member), minus skip_uid (0: nobody; e.g. the typist). Steals event. */
void ev_conv(ctx *c, long long conv_id, json_t *event, long long extra_uid, long long skip_uid);
/* Publishes event to the n users in uids (duplicates are sent once). Steals event. */
void ev_users(ctx *c, const long long *uids, size_t n, json_t *event);

/* A message event ("message.created", "message.edited", "reaction") to the members of
 * conv_id, with the message rendered for no particular reader. */
void ev_message(ctx *c, const char *type, long long conv_id, long long seq);
/* A "read" event: user_id has read conv_id up to read_seq (nothing when the caller keeps
 * read receipts off). */
void ev_read(ctx *c, long long conv_id, long long user_id, long long read_seq);
/* A "delivered" event: user_id's client has received conv_id up to delivered_seq. */
void ev_delivered(ctx *c, long long conv_id, long long user_id, long long delivered_seq);
/* "conversation.created" for a conversation the caller just created: the caller gets it as
 * conv_json shows it to them; every other member gets it as a plain member with nothing
 * read (and, for a direct one, with the caller as "peer"). */
void ev_conv_created(ctx *c, long long conv_id);

/* Tells every events hub that credentials ended, so that they close the streams those
 * opened: each is "s:<session id>" or "t:<token id>", PUBLISHed on parley:ended. A Redis
 * failure is logged; the hubs also re-check what they hold (PARLEY_EVENTS_RECHECK). */
void ev_creds_ended(ctx *c, const char *const *creds, size_t n);

/* Pure helpers (unit-tested). */
/* The event as compact JSON with "id" first (malloc'd, the caller free()s; NULL on OOM). */
char *ev_encode(long long id, json_t *event);
/* Filters uids[0..n) in place: drops skip, zeros/negatives and repeats, then appends extra
 * (when positive, not skip and not present). uids must have room for n + 1. Returns the
 * new count. */
size_t ev_recipients(long long *uids, size_t n, long long extra, long long skip);

#endif
