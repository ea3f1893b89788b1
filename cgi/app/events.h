/* events.h — the sink the domain writes its real-time events to, after a change has
 * committed; it knows nothing of conversations or messages (their modules build their own
 * events and hand them here). An event that reports a change is a row of event_log (its id
 * from the PostgreSQL sequence event_ids) and is then PUBLISHed as compact JSON on
 * parley:u:<uid> for every recipient; ephemeral ones (typing, presence) only get an id.
 * The events hubs turn those into SSE streams and long-polls, and read the log back for
 * what Redis did not bring them. Redis is only the doorbell: a failure here is logged and
 * never fails the request. Never call these inside db_begin/db_commit. */
#ifndef PARLEY_EVENTS_H
#define PARLEY_EVENTS_H
#include "svc.h"

extern const db_stmt ev_stmts[];

/* Publishes event to every current member of conv_id, plus extra_uid (0: nobody; e.g. the
 * removed member), minus skip_uid (0: nobody; e.g. the typist). Steals event. */
void ev_conv(svc *c, long long conv_id, json_t *event, long long extra_uid, long long skip_uid);
/* Publishes event to the n users in uids (duplicates are sent once). Steals event. */
void ev_users(svc *c, const long long *uids, size_t n, json_t *event);
/* Publishes event to the members of conv_id under id, an event already in event_log (a new
 * message's, written with it). Steals event. */
void ev_conv_logged(svc *c, long long conv_id, json_t *event, long long id);
/* 1 for the types that are not kept in event_log (typing, presence). */
int ev_ephemeral(const char *type);

/* Tells every events hub that credentials ended, so that they close the streams those
 * opened: each is "s:<session id>" or "t:<token id>", PUBLISHed on parley:ended. A Redis
 * failure is logged; the hubs also re-check what they hold (PARLEY_EVENTS_RECHECK). */
void ev_creds_ended(svc *c, const char *const *creds, size_t n);

/* Pure helpers (unit-tested). */
/* The event as compact JSON with "id" first (malloc'd, the caller free()s; NULL on OOM). */
char *ev_encode(long long id, json_t *event);
/* Filters uids[0..n) in place: drops skip, zeros/negatives and repeats, then appends extra
 * (when positive, not skip and not present). uids must have room for n + 1. Returns the
 * new count. */
size_t ev_recipients(long long *uids, size_t n, long long extra, long long skip);

#endif
