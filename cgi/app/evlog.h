/* evlog.h — reading event_log back (the events hub): what Redis did not bring, and the
 * replay of a reconnecting client's Last-Event-ID. events.c writes the log. */
#ifndef PARLEY_EVLOG_H
#define PARLEY_EVLOG_H
#include "svc.h"

extern const struct module evlog_module;

enum {
    EVLOG_REPLAY_MAX = 1000,     /* events replayed to one reconnecting client; more: resync */
};

/* One event read back: its id and its JSON text ("id" first, as published). */
typedef struct evlog_event {
    long long id;
    const char *json;            /* arena-owned */
} evlog_event;

/* A row's identity and age, for the hub's follower. */
typedef struct evlog_mark {
    long long id;
    long long age_ms;            /* since it was written, by the database's clock */
} evlog_mark;

/* The ids (and ages) of up to limit rows with id > after, ascending, into *out (arena). */
err_t evlog_marks_after(svc *c, long long after, int limit, evlog_mark **out, size_t *n);
/* The same for the rows among ids[0..k) that exist now. */
err_t evlog_marks_of(svc *c, const long long *ids, size_t k, evlog_mark **out, size_t *n);
/* The event id and its recipients (all of them, members as of the event), for delivery:
 * *json (arena) is the event as published; *uids (arena) its recipients. *json is NULL
 * when the row is gone or cannot be rendered. */
err_t evlog_load(svc *c, long long id, const char **json, long long **uids, size_t *n);
/* What uid may see with id > after or among late[0..nlate) (ascending ids below after that
 * arrived after it: follow_late), ascending, into *out (arena): at most EVLOG_REPLAY_MAX.
 * *resync is 1 when that cannot be complete (the log no longer reaches back to after, or
 * there is more than that): the client should refetch instead. */
err_t evlog_replay(svc *c, long long uid, long long after, const long long *late, size_t nlate, evlog_event **out,
                   size_t *n, int *resync);

#endif
