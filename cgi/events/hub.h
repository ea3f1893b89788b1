/* hub.h — the events hub's shared state: for each user the open streams (parked FastCGI
 * requests, written to later by other threads) and a short buffer of recent events for
 * replay after a reconnect. One mutex guards it all; writes to parked streams are
 * non-blocking, so a client that stops reading is dropped instead of stalling anyone. */
#ifndef PARLEY_HUB_H
#define PARLEY_HUB_H
#include <stddef.h>
#include <fcgiapp.h>

enum {
    HUB_RING = 256,              /* events kept per user for replay… */
    HUB_RING_BYTES = 65536,      /* …and at most this many bytes of them */
    HUB_HEARTBEAT_MS = 15000,    /* SSE comment line when nothing else was written (it is
                                    also how a vanished client is noticed: see hub_tick) */
    HUB_IDLE_USER_MS = 300000,   /* a user without streams is forgotten after this */
    HUB_PRESENCE_GRACE_MS = 5000,/* a person whose last stream closed still counts this long
                                    (a page change, a long-poll's next request, a reconnect) */
    HUB_CRED_MAX = 80,           /* "s:<64 hex>" (a session) or "t:<token id>" */
    HUB_ENDED = 256,             /* credentials remembered as ended, for streams parked
                                    just after their end was announced */
    HUB_REPLAY_WAIT_S = 5,       /* a replay from the log waits this long per write */
    HUB_SLOW_BYTES = 131072,     /* a stream's reader this far behind is cut (put_resume)… */
    HUB_SLOW_ROOM = 8192,        /* …keeping at least this much of the socket free for that */
};

/* Presence: who this hub holds. A person joins when their first stream arrives and leaves
 * HUB_PRESENCE_GRACE_MS after their last one ended; another event stream opening while they
 * are here (a page load) is a sign of activity; the hub's presence thread tells Redis. */
typedef enum hub_pres_kind { HUB_PRES_JOIN, HUB_PRES_LEAVE, HUB_PRES_ACTIVE } hub_pres_kind;
typedef struct hub_pres_change {
    long long uid;
    hub_pres_kind kind;
    long long ended_ms;          /* HUB_PRES_LEAVE: when the last stream ended (clock_now_ms) */
} hub_pres_change;

typedef struct hub_stream hub_stream;

/* Sets the id below which events are unknown (at start and after a Redis outage). */
void hub_init(long long latest_id);
/* What the log gave for a reconnect: ids ascending, with their JSON texts; or resync. */
typedef struct hub_replay {
    const long long *ids;
    const char *const *json;
    size_t n;
    int resync;                  /* the log cannot replay it all: the client refetches */
} hub_replay;

/* Before parking a stream with last_id: 1 when this hub's buffer cannot replay what uid
 * missed (uid unknown here, or the buffer lost part of it), so the caller asks the log
 * (evlog_replay) and passes what it gave to hub_park. From this call on, uid's events are
 * buffered here, so none falls between the log's answer and the parking. */
int hub_prepare(long long uid, long long last_id);
/* Parks a request whose headers are written (SSE) or that waits (long-poll, until
 * deadline_ms), opened with credential cred ("s:<session id>" or "t:<token id>"). Replays
 * what the user missed after last_id (-1: nothing to replay): rp's events (NULL: none asked
 * for), then the buffer's; or a resync. A long-poll with something to say is answered and
 * finished at once; by_arrival: its last_id is `after` (what came after that event), not a
 * cursor (higher ids). Takes ownership of fr (heap-allocated, accepted). */
void hub_park(FCGX_Request *fr, long long uid, const char *cred, int sse, long long last_id, int by_arrival,
              long long deadline_ms, const hub_replay *rp);
/* A session ended or a token was revoked: every stream it opened ends now (an SSE stream
 * with a "session.ended" event, a long-poll with 401), and one parked later is refused. */
void hub_cred_ended(const char *cred);
/* The same for n credentials at once (one pass over the streams); sorts creds. */
void hub_creds_ended(char (*creds)[HUB_CRED_MAX], size_t n);
/* The distinct credentials of the open streams, for their periodic re-check: *out is
 * malloc'd (the caller frees it). Returns how many. */
size_t hub_creds(char (**out)[HUB_CRED_MAX]);
/* Delivers one event (JSON text with "id") to uid's streams and buffer, unless the buffer
 * holds that id already (Redis and the log may both bring it). 1 when uid had a stream
 * here to write it to. */
int hub_deliver(long long uid, long long id, const char *json);
/* hub_deliver to each of uids[0..n) but skip (0: none; users without a buffer here are
 * skipped too), under one lock; it also notes that id exists, as hub_saw does. Returns how
 * many had a stream here. */
size_t hub_deliver_many(const long long *uids, size_t n, long long skip, long long id, const char *json);
/* Notes that event id exists though it goes to no one here (a resume from it is then no
 * resync). */
void hub_saw(long long id);
/* Heartbeats, long-poll deadlines, forgetting idle users; called about once a second. */
void hub_tick(void);
/* Moves the pending joins and leaves, oldest first, into *out (malloc'd, the caller
 * frees it); waits up to wait_ms for one when there is none. Returns how many. */
size_t hub_presence_take(hub_pres_change **out, long wait_ms);
/* The people this hub holds now, into *out (malloc'd, the caller frees it). */
size_t hub_presence_held(long long **out);
/* Open streams and known users, for logs and the benchmark. */
void hub_counts(long *streams, long *users);
/* Events written to streams since the start (an SSE event, or a long-poll answer with some). */
unsigned long long hub_delivered_total(void);
/* Streams cut since the start because their reader fell behind (backpressure). */
unsigned long long hub_slow_total(void);

#endif
