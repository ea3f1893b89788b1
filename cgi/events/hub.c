/* hub.c — see hub.h. */
#include "hub.h"
#include "follow.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif
#include "../core/buf.h"
#include "../http/resp.h"
#include "fcgi_raw.h"
#include "../core/clock.h"

struct hub_stream {
    fcgi_raw conn;               /* the web server's connection, libfcgi's request freed */
    char cred[HUB_CRED_MAX];     /* the session or token that opened it ("s:…", "t:…") */
    int sse;
    long long deadline_ms;       /* long-poll only */
    long long last_write_ms;
    long long last_id;           /* SSE: the id of the last event written to it */
    int slow_limit;              /* SSE once parked: bytes the socket may hold unread (0: no check) */
    int gone;                    /* the web server hung up (seen by hub_tick's poll) */
    hub_stream *next;
};

typedef struct hub_user {
    long long uid;
    hub_stream *streams;
    long long *ids;              /* owned, cap entries: a ring of ids… */
    char **data;                 /* …and of their owned JSON texts */
    int cap;                     /* grows by doubling up to HUB_RING: most users get few events */
    int start, len;
    size_t bytes;                /* total length of the texts in the ring */
    long long floor;             /* events with id <= floor may be missing from the ring */
    long long idle_since_ms;
    int present;                 /* joined (for presence) and not yet left */
    struct hub_user *next;
} hub_user;

enum { HUB_BUCKETS = 4096 };

static pthread_mutex_t hub_lock = PTHREAD_MUTEX_INITIALIZER;
static hub_user *hub_table[HUB_BUCKETS];
static long long hub_latest;     /* highest event id seen */
static long long hub_floor0;     /* the floor of users created from now on */
static long hub_nstreams, hub_nusers;
static pthread_cond_t hub_pres_cond = PTHREAD_COND_INITIALIZER;
static char hub_ended[HUB_ENDED][HUB_CRED_MAX];   /* credentials that ended lately, a ring */
static int hub_ended_next;
static hub_pres_change *hub_pres_q;   /* pending joins and leaves (guarded by hub_lock) */
static size_t hub_pres_n, hub_pres_cap;
static long hub_npresent;

static void pres_push(struct hub_user *u, hub_pres_kind kind);

void hub_init(long long latest_id)
{
    pthread_mutex_lock(&hub_lock);
    hub_latest = hub_floor0 = latest_id;
    pthread_mutex_unlock(&hub_lock);
}

static hub_user *user_find(long long uid, int create)
{
    size_t b = (size_t)uid % HUB_BUCKETS;
    for (hub_user *u = hub_table[b]; u; u = u->next)
        if (u->uid == uid) return u;
    if (!create) return NULL;
    hub_user *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    u->uid = uid;
    u->floor = hub_latest > hub_floor0 ? hub_latest : hub_floor0;
    u->idle_since_ms = clock_now_ms();
    u->next = hub_table[b];
    hub_table[b] = u;
    hub_nusers++;
    return u;
}

/* Writes all of s to a stream and flushes; 0 on success. A full socket is a failure. */
static int put(hub_stream *s, const char *p, size_t n)
{
    if (fcgi_raw_write(&s->conn, p, n)) return -1;
    s->last_write_ms = clock_now_ms();
    return 0;
}

/* Events written to streams (SSE events and long-poll answers), for /metrics. */
static _Atomic unsigned long long hub_delivered;
static _Atomic unsigned long long hub_slow;     /* streams cut for reading too slowly */

/* Bytes written to the stream's socket that its reader (the web server) has not taken yet,
 * or -1 when the system cannot say. */
static long queued_bytes(const hub_stream *s)
{
#ifdef SIOCOUTQ
    int q = 0;
    if (ioctl(s->conn.fd, SIOCOUTQ, &q) == 0) return q;
#endif
    (void)s;
    return -1;
}

/* Backpressure: a stream whose reader has fallen behind by more than its slow_limit gets a
 * last event, while there is still room for it, telling the client to come back with its
 * Last-Event-ID; then it ends (the caller ends it on -1). Everybody else goes on at once,
 * and the reconnect is replayed from the buffer or the log. */
static int put_resume(hub_stream *s)
{
    char b[160];
    int n = snprintf(b, sizeof b, "event: stream.resume\ndata: {\"type\":\"stream.resume\",\"reason\":\"slow\","
                                  "\"last_event_id\":%lld}\n\n", s->last_id);
    put(s, b, (size_t)n);
    atomic_fetch_add_explicit(&hub_slow, 1, memory_order_relaxed);
    return -1;
}

static int put_sse(hub_stream *s, long long id, const char *json)
{
    buf b;
    buf_init(&b);
    buf_printf(&b, "id: %lld\ndata: %s\n\n", id, json);
    int rc;
    long q;
    if (b.oom) rc = -1;
    else if (s->slow_limit && (q = queued_bytes(s)) >= 0 && (size_t)q + b.len > (size_t)s->slow_limit) rc = put_resume(s);
    else rc = put(s, b.data, b.len);
    buf_free(&b);
    if (!rc) {
        s->last_id = id;
        atomic_fetch_add_explicit(&hub_delivered, 1, memory_order_relaxed);
    }
    return rc;
}

/* Answers a long-poll with the given events (a JSON array's inner text), the cursor (ids
 * above it are new) and the event to ask `after` next (what arrives after it is new). */
static int put_poll(hub_stream *s, const char *events, long long cursor, long long after)
{
    buf body, out;
    buf_init(&body);
    buf_init(&out);
    buf_printf(&body, "{\"events\":[%s],\"cursor\":\"%lld\",\"after\":\"%lld\"}", events, cursor, after);
    buf_printf(&out, "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n", body.len);
    resp_security_headers(&out);
    buf_printf(&out, "\r\n%s", buf_str(&body));
    int rc = out.oom || body.oom ? -1 : put(s, out.data, out.len);
    buf_free(&body);
    buf_free(&out);
    if (!rc && *events) atomic_fetch_add_explicit(&hub_delivered, 1, memory_order_relaxed);
    return rc;
}

static void stream_end(hub_stream *s)
{
    fcgi_raw_end(&s->conn);
    free(s);
    hub_nstreams--;
}

/* A stream whose credential ended: an SSE stream gets a last, named event (a page leaves
 * for the login form; other clients ignore it) and ends; a waiting long-poll is answered
 * 401 like any request without a valid session. */
static void end_unauthorized(hub_stream *s)
{
    if (s->sse) {
        static const char bye[] = "event: session.ended\ndata: {\"type\":\"session.ended\"}\n\n";
        put(s, bye, sizeof bye - 1);
    } else {
        static const char body[] = "{\"error\":{\"code\":\"unauthorized\","
                                   "\"message\":\"Your session ended: log in again.\"}}";
        buf out;
        buf_init(&out);
        buf_printf(&out, "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
                         "WWW-Authenticate: Bearer realm=\"parley\"\r\nContent-Length: %zu\r\n", sizeof body - 1);
        resp_security_headers(&out);
        buf_printf(&out, "\r\n%s", body);
        if (!out.oom) put(s, out.data, out.len);
        buf_free(&out);
    }
    stream_end(s);
}

/* 1 when cred is among the credentials that ended lately (hub_lock held). */
static int cred_ended(const char *cred)
{
    for (int i = 0; i < HUB_ENDED; i++)
        if (hub_ended[i][0] && !strcmp(hub_ended[i], cred)) return 1;
    return 0;
}

static int cred_cmp(const void *x, const void *y) { return strcmp(x, y); }

void hub_creds_ended(char (*creds)[HUB_CRED_MAX], size_t n)
{
    if (!n) return;
    qsort(creds, n, HUB_CRED_MAX, cred_cmp);             /* one pass over the streams, bsearch each */
    pthread_mutex_lock(&hub_lock);
    for (size_t i = 0; i < n; i++)
        if (creds[i][0] && !cred_ended(creds[i])) {
            memcpy(hub_ended[hub_ended_next], creds[i], HUB_CRED_MAX);
            hub_ended_next = (hub_ended_next + 1) % HUB_ENDED;
        }
    long long now = clock_now_ms();
    for (size_t b = 0; b < HUB_BUCKETS; b++)
        for (hub_user *u = hub_table[b]; u; u = u->next) {
            hub_stream **pp = &u->streams;
            int had = *pp != NULL;
            while (*pp) {
                hub_stream *s = *pp;
                if (!bsearch(s->cred, creds, n, HUB_CRED_MAX, cred_cmp)) { pp = &s->next; continue; }
                *pp = s->next;
                end_unauthorized(s);
            }
            if (had && !u->streams) u->idle_since_ms = now;
        }
    pthread_mutex_unlock(&hub_lock);
}

void hub_cred_ended(const char *cred)
{
    char one[1][HUB_CRED_MAX];
    if (!*cred || strlen(cred) >= HUB_CRED_MAX) return;
    memset(one, 0, sizeof one);
    memcpy(one[0], cred, strlen(cred));
    hub_creds_ended(one, 1);
}

size_t hub_creds(char (**out)[HUB_CRED_MAX])
{
    pthread_mutex_lock(&hub_lock);
    size_t n = 0, cap = (size_t)(hub_nstreams > 0 ? hub_nstreams : 1);
    *out = malloc(sizeof **out * cap);
    for (size_t b = 0; *out && b < HUB_BUCKETS; b++)
        for (hub_user *u = hub_table[b]; u; u = u->next)
            for (hub_stream *s = u->streams; s && n < cap; s = s->next) memcpy((*out)[n++], s->cred, HUB_CRED_MAX);
    pthread_mutex_unlock(&hub_lock);
    if (!*out) return 0;
    qsort(*out, n, HUB_CRED_MAX, cred_cmp);             /* each credential once, outside the lock */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || strcmp((*out)[k - 1], (*out)[i])) memmove((*out)[k++], (*out)[i], HUB_CRED_MAX);
    return k;
}

static const char resync_fmt[] = "{\"id\":%lld,\"type\":\"resync\"}";

int hub_prepare(long long uid, long long last_id)
{
    pthread_mutex_lock(&hub_lock);
    hub_user *u = user_find(uid, 0);
    int need = last_id >= 0 && last_id <= hub_latest && (!u || last_id < u->floor);
    if (need && !u) user_find(uid, 1);          /* from now on its events are kept here */
    pthread_mutex_unlock(&hub_lock);
    return need;
}

/* 1 when id is among the replayed events (ascending ids). */
static int replayed(const hub_replay *rp, long long id)
{
    size_t lo = 0, hi = rp ? rp->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rp->ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return rp && lo < rp->n && rp->ids[lo] == id;
}

/* Where id is in u's ring, counted from its oldest event (arrival order), or -1 when it is
 * not there (hub_lock held). */
static int ring_find(const hub_user *u, long long id)
{
    for (int k = u->len - 1; k >= 0; k--)                 /* the newest first: a repeat is recent */
        if (u->ids[(u->start + k) % u->cap] == id) return k;
    return -1;
}

/* A long-poll's answer (hub_lock held): what the log gave (rp) and u's buffer, appended to
 * *b (a JSON array's inner text), with the cursor (the highest id it knows of) and the event
 * to ask `after` next (of those answered, the last to arrive here). With by_arrival (the
 * client asked for what came after the event last_id names, and this hub noted that one),
 * the events that reached this hub after it, whatever their ids (an event of the log not
 * yet arrived here waits: it comes to the parked poll when it arrives); otherwise those with
 * ids above last_id. 1 when there is something to say, 0 when not yet, -1 (no memory). */
static int poll_collect(const hub_user *u, long long last_id, int by_arrival, const hub_replay *rp, buf *b,
                        long long *cursor, long long *after)
{
    size_t cap = (rp ? rp->n : 0) + (size_t)u->len + 1, n = 0;
    long long *ids = malloc(sizeof *ids * cap), *place = malloc(sizeof *place * cap);
    const char **json = malloc(sizeof *json * cap);
    long long ref = -1, best = -1;
    int ok = ids && place && json;
    if (ok && by_arrival) follow_places(&last_id, 1, &ref);
    for (size_t k = 0; ok && rp && k < rp->n; k++) ids[n] = rp->ids[k], json[n++] = rp->json[k];
    for (int k = 0; ok && k < u->len; k++) {
        int i = (u->start + k) % u->cap;
        if (!replayed(rp, u->ids[i])) ids[n] = u->ids[i], json[n++] = u->data[i];
    }
    if (ok) follow_places(ids, n, place);
    *cursor = last_id;
    *after = -1;
    for (size_t k = 0; ok && k < n; k++) {
        if (ref >= 0 ? place[k] <= ref : ids[k] <= last_id) continue;
        if (b->len) buf_putc(b, ',');
        buf_puts(b, json[k]);
        if (ids[k] > *cursor) *cursor = ids[k];
        if (place[k] > best) best = place[k], *after = ids[k];
    }
    if (*after < 0) *after = *cursor;                 /* none noted here: the cursor will do */
    free(ids);
    free(place);
    free(json);
    return !ok || b->oom ? -1 : b->len > 0;
}

/* The `after` of an answer with no events: the last event to arrive here, or failing
 * that the highest id (hub_lock held). */
static long long poll_after_now(void)
{
    long long id = follow_newest();
    return id >= 0 ? id : hub_latest;
}

void hub_park(FCGX_Request *fr, long long uid, const char *cred, int sse, long long last_id, int by_arrival,
              long long deadline_ms, const hub_replay *rp)
{
    hub_stream *s = calloc(1, sizeof *s);
    if (!s) { FCGX_Finish_r(fr); free(fr); return; }
    fcgi_raw_detach(fr, &s->conn);                        /* fr is freed: ~17 KB less per stream */
    int fd = s->conn.fd;
    snprintf(s->cred, sizeof s->cred, "%s", cred);
    s->sse = sse;
    /* What the log gave can be far more than a socket buffer holds: an event stream's is
     * written here, blocking (at most HUB_REPLAY_WAIT_S per write), before the stream joins
     * the others; a long-poll's answer is made under the lock below and written after it. */
    struct timeval tv = {HUB_REPLAY_WAIT_S, 0};
    if (sse && rp && !rp->resync && rp->n) {
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int bad = 0;
        for (size_t k = 0; k < rp->n && !bad; k++) bad = put_sse(s, rp->ids[k], rp->json[k]) != 0;
        if (bad) {
            fcgi_raw_end(&s->conn);
            free(s);
            return;
        }
        tv.tv_sec = 0;
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    /* From here on writes never block (the replay below included, under the hub's lock): a
     * client or web server that does not read is dropped, nobody waits for it. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    if (sse) {
        /* The reader may fall this far behind; the rest of the socket's buffer stays free
         * for the last event that tells it to resume (put_resume). */
        int sndbuf = 0;
        socklen_t len = sizeof sndbuf;
        if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len)) sndbuf = 0;
        s->slow_limit = sndbuf - HUB_SLOW_ROOM < HUB_SLOW_BYTES ? sndbuf - HUB_SLOW_ROOM : HUB_SLOW_BYTES;
        if (s->slow_limit < 0) s->slow_limit = 0;
    }
    s->deadline_ms = deadline_ms;
    s->last_write_ms = clock_now_ms();
    buf answer;                                           /* a long-poll's, written after the lock */
    buf_init(&answer);
    long long cursor = 0, after = 0;
    pthread_mutex_lock(&hub_lock);
    hub_nstreams++;
    if (cred_ended(cred)) {              /* ended between its authentication and now */
        end_unauthorized(s);
        pthread_mutex_unlock(&hub_lock);
        return;
    }
    hub_user *u = user_find(uid, 1);
    int done = !u, answered = 0;
    s->last_id = last_id >= 0 ? last_id : hub_latest;     /* where a resume would start */
    char resync[64];
    snprintf(resync, sizeof resync, resync_fmt, hub_latest);
    if (u && last_id < 0 && !sse) last_id = hub_latest;          /* a fresh long-poll: from now */
    if (u && last_id >= 0) {
        /* The log could not say (forgotten, or too much), or an id from the future. */
        if ((rp && rp->resync) || (!rp && last_id < u->floor) || last_id > hub_latest) {
            if (sse) done = put_sse(s, hub_latest, resync) != 0;
            else answered = (buf_puts(&answer, resync), cursor = hub_latest, after = poll_after_now(), 1);
        } else if (!sse) {
            answered = poll_collect(u, last_id, by_arrival, rp, &answer, &cursor, &after);
            if (answered < 0) answered = (buf_reset(&answer), buf_puts(&answer, resync), cursor = hub_latest,
                                          after = poll_after_now(), 1);
        } else {
            /* (What the log gave is written above.) The buffer's events after last_id that
             * the log did not already give: those with a higher id and every one that came
             * after the event last_id names, whatever its id. Ids are taken when an event is
             * made and it arrives when it commits, so an event with a lower id can come
             * after the last one the reader got; the buffer is in arrival order. */
            int at = ring_find(u, last_id);
            int after_at = at >= 0 ? at + 1 : u->len;    /* index of the first after last_id */
            /* Not in the buffer (it reached the stream through another hub, or before the
             * buffer was made): the lower ids that reached this hub after it still count,
             * by their places in its arrival order (a lookup each, under the lock). */
            long long ref = -1, ids[HUB_RING], place[HUB_RING];
            if (at < 0) follow_places(&last_id, 1, &ref);
            for (int k = 0; ref >= 0 && k < u->len; k++) ids[k] = u->ids[(u->start + k) % u->cap];
            if (ref >= 0) follow_places(ids, (size_t)u->len, place);
            for (int k = 0; k < u->len && !done; k++) {
                int i = (u->start + k) % u->cap;
                int late = ref >= 0 && place[k] > ref;
                if ((u->ids[i] <= last_id && k < after_at && !late) || replayed(rp, u->ids[i])) continue;
                done = put_sse(s, u->ids[i], u->data[i]) != 0;
            }
        }
    }
    if (answered) {
        hub_nstreams--;                                   /* not parked: answered below */
    } else if (!done) {
        s->next = u->streams;
        u->streams = s;
    } else {
        stream_end(s);
    }
    if (u && !u->streams) u->idle_since_ms = clock_now_ms();   /* answered at once: grace from now */
    if (u && !u->present) pres_push(u, HUB_PRES_JOIN);
    else if (u && sse) pres_push(u, HUB_PRES_ACTIVE);        /* not every long-poll: they repeat */
    pthread_mutex_unlock(&hub_lock);
    if (answered) {
        /* Possibly far more than the socket holds (what the log gave): blocking, at most
         * HUB_REPLAY_WAIT_S per write; nobody else writes to an answered poll. */
        if (fl >= 0) fcntl(fd, F_SETFL, fl);
        tv.tv_sec = HUB_REPLAY_WAIT_S;
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        put_poll(s, buf_str(&answer), cursor, after);
        fcgi_raw_end(&s->conn);
        free(s);
    }
    buf_free(&answer);
}

/* Doubles u's ring (up to HUB_RING), its events in order from index 0; 0 on success. */
static int ring_grow(hub_user *u)
{
    int cap = u->cap ? u->cap * 2 : 8;
    if (cap > HUB_RING) return -1;
    long long *ids = malloc(sizeof *ids * (size_t)cap);
    char **data = malloc(sizeof *data * (size_t)cap);
    if (!ids || !data) { free(ids); free(data); return -1; }
    for (int k = 0; k < u->len; k++) {
        ids[k] = u->ids[(u->start + k) % u->cap];
        data[k] = u->data[(u->start + k) % u->cap];
    }
    free(u->ids);
    free(u->data);
    u->ids = ids;
    u->data = data;
    u->cap = cap;
    u->start = 0;
    return 0;
}

/* hub_deliver's work for one user (hub_lock held). */
static int deliver_locked(long long uid, long long id, const char *json)
{
    int wrote = 0;
    if (id > hub_latest) hub_latest = id;
    hub_user *u = user_find(uid, 0);
    if (u && ring_find(u, id) >= 0) u = NULL;           /* Redis and the log both brought it */
    if (u) {
        size_t n = strlen(json);
        char *copy = n <= HUB_RING_BYTES ? strdup(json) : NULL;
        if (copy) {
            /* The oldest leave (the replay floor rises) until the new one fits: the ring is
             * full, its bytes are, or it cannot grow (no memory). */
            while (u->len && (u->len == HUB_RING || u->bytes + n > HUB_RING_BYTES || (u->len == u->cap && ring_grow(u)))) {
                u->floor = u->ids[u->start];
                u->bytes -= strlen(u->data[u->start]);
                free(u->data[u->start]);
                u->start = (u->start + 1) % u->cap;
                u->len--;
            }
            if (!u->cap && ring_grow(u)) { free(copy); copy = NULL; }
        }
        if (copy) {
            int i = (u->start + u->len) % u->cap;
            u->ids[i] = id;
            u->data[i] = copy;
            u->len++;
            u->bytes += n;
        } else {
            u->floor = id;                               /* could not keep it: replay impossible */
        }
        int had = u->streams != NULL;
        wrote = had;
        hub_stream **pp = &u->streams;
        while (*pp) {
            hub_stream *s = *pp;
            int end = s->sse ? put_sse(s, id, json) != 0 : (put_poll(s, json, id > s->last_id ? id : s->last_id, id), 1);
            if (end) {
                *pp = s->next;
                stream_end(s);
            } else {
                pp = &s->next;
            }
        }
        if (had && !u->streams) u->idle_since_ms = clock_now_ms();   /* only when the last one ends here */
    }
    return wrote;
}

int hub_deliver(long long uid, long long id, const char *json)
{
    pthread_mutex_lock(&hub_lock);
    follow_arrived(id);                                   /* under the lock: see follow.h */
    int wrote = deliver_locked(uid, id, json);
    pthread_mutex_unlock(&hub_lock);
    return wrote;
}

size_t hub_deliver_many(const long long *uids, size_t n, long long skip, long long id, const char *json)
{
    size_t wrote = 0;
    pthread_mutex_lock(&hub_lock);                        /* once: a 10,000-member channel is one event */
    follow_arrived(id);
    if (id > hub_latest) hub_latest = id;
    for (size_t i = 0; i < n; i++)
        if (uids[i] != skip) wrote += (size_t)deliver_locked(uids[i], id, json);
    pthread_mutex_unlock(&hub_lock);
    return wrote;
}

void hub_saw(long long id)
{
    pthread_mutex_lock(&hub_lock);
    if (id > hub_latest) hub_latest = id;
    pthread_mutex_unlock(&hub_lock);
}

/* Queues a join, leave or sign of activity for the presence thread (hub_lock held). */
static void pres_push(hub_user *u, hub_pres_kind kind)
{
    if (kind != HUB_PRES_ACTIVE) {
        u->present = kind == HUB_PRES_JOIN;
        hub_npresent += u->present ? 1 : -1;
    }
    if (hub_pres_n == hub_pres_cap) {
        size_t cap = hub_pres_cap ? hub_pres_cap * 2 : 64;
        hub_pres_change *q = realloc(hub_pres_q, cap * sizeof *q);
        if (!q) return;                                  /* lost: the next renewal corrects it */
        hub_pres_q = q;
        hub_pres_cap = cap;
    }
    hub_pres_q[hub_pres_n++] = (hub_pres_change){u->uid, kind, u->idle_since_ms};
    pthread_cond_signal(&hub_pres_cond);
}

size_t hub_presence_take(hub_pres_change **out, long wait_ms)
{
    pthread_mutex_lock(&hub_lock);
    if (!hub_pres_n && wait_ms > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait_ms / 1000;
        ts.tv_nsec += (wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&hub_pres_cond, &hub_lock, &ts);
    }
    size_t n = hub_pres_n;
    *out = hub_pres_q;
    hub_pres_q = NULL;
    hub_pres_n = hub_pres_cap = 0;
    pthread_mutex_unlock(&hub_lock);
    return n;
}

size_t hub_presence_held(long long **out)
{
    pthread_mutex_lock(&hub_lock);
    size_t n = 0;
    *out = malloc(sizeof **out * (size_t)(hub_npresent > 0 ? hub_npresent : 1));
    for (size_t b = 0; *out && b < HUB_BUCKETS; b++)
        for (hub_user *u = hub_table[b]; u; u = u->next)
            if (u->present && n < (size_t)hub_npresent) (*out)[n++] = u->uid;
    pthread_mutex_unlock(&hub_lock);
    return n;
}

static void user_free(hub_user *u)
{
    for (int k = 0; k < u->len; k++) free(u->data[(u->start + k) % u->cap]);
    free(u->ids);
    free(u->data);
    free(u);
    hub_nusers--;
}

/* Marks the streams whose web-server connection has closed. The web server closes it only
 * after a write to a vanished client failed (the heartbeat), so without this an ended stream
 * would count as open until the next heartbeat after that: presence would lag a beat more.
 * (hub_lock held; the array is reused from tick to tick.) */
static void mark_gone(void)
{
    static struct pollfd *fds;
    static hub_stream **owner;
    static size_t cap;
    if ((size_t)hub_nstreams > cap) {
        size_t want = (size_t)hub_nstreams * 2;
        struct pollfd *f = realloc(fds, want * sizeof *f);
        if (f) fds = f;
        hub_stream **o = realloc(owner, want * sizeof *o);
        if (o) owner = o;
        if (!f || !o) return;
        cap = want;
    }
    size_t n = 0;
    for (size_t b = 0; b < HUB_BUCKETS; b++)
        for (hub_user *u = hub_table[b]; u; u = u->next)
            for (hub_stream *s = u->streams; s && n < cap; s = s->next) {
                fds[n] = (struct pollfd){.fd = s->conn.fd, .events = POLLRDHUP};
                owner[n++] = s;
            }
    if (n && poll(fds, n, 0) > 0)
        for (size_t i = 0; i < n; i++)
            if (fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) owner[i]->gone = 1;
}

void hub_tick(void)
{
    long long now = clock_now_ms();
    pthread_mutex_lock(&hub_lock);
    mark_gone();
    for (size_t b = 0; b < HUB_BUCKETS; b++) {
        hub_user **up = &hub_table[b];
        while (*up) {
            hub_user *u = *up;
            hub_stream **pp = &u->streams;
            while (*pp) {
                hub_stream *s = *pp;
                int end = s->gone;
                if (!end && s->sse && now - s->last_write_ms >= HUB_HEARTBEAT_MS) end = put(s, ": ping\n\n", 8) != 0;
                else if (!end && !s->sse && now >= s->deadline_ms) end = (put_poll(s, "", hub_latest, poll_after_now()), 1);
                if (end) {
                    *pp = s->next;
                    stream_end(s);
                    if (!u->streams) u->idle_since_ms = now;
                } else {
                    pp = &s->next;
                }
            }
            if (u->present && !u->streams && now - u->idle_since_ms >= HUB_PRESENCE_GRACE_MS) pres_push(u, HUB_PRES_LEAVE);
            if (!u->present && !u->streams && now - u->idle_since_ms > HUB_IDLE_USER_MS) {
                *up = u->next;
                user_free(u);
            } else {
                up = &u->next;
            }
        }
    }
    pthread_mutex_unlock(&hub_lock);
}

void hub_counts(long *streams, long *users)
{
    pthread_mutex_lock(&hub_lock);
    *streams = hub_nstreams;
    *users = hub_nusers;
    pthread_mutex_unlock(&hub_lock);
}

unsigned long long hub_delivered_total(void)
{
    return atomic_load_explicit(&hub_delivered, memory_order_relaxed);
}

unsigned long long hub_slow_total(void)
{
    return atomic_load_explicit(&hub_slow, memory_order_relaxed);
}
