/* parley_events.c — the events hub: GET /api/v1/events as Server-Sent Events or long-polls.
 * A few accept threads authenticate each request and park it in the hub; one thread reads
 * Redis pub/sub and writes to the parked streams; a timer thread sends heartbeats and ends
 * long-polls at their deadline. No thread waits per client. Wiring only. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcgiapp.h>
#include <sodium.h>
#include "../app/ctx.h"
#include "../app/answer.h"
#include "../app/auth.h"
#include "../app/dispatch.h"
#include "../app/presence.h"
#include "../app/sessions.h"
#include "../app/tokens.h"
#include "../app/users.h"
#include "../core/log.h"
#include "../app/evlog.h"
#include "../events/convmap.h"
#include "../events/follow.h"
#include "../events/hub.h"
#include "../events/pubsub.h"
#include "../core/num.h"
#include "../core/clock.h"

static config cfg;
static int listen_fd;
static char hub_id[24];          /* this process's name in Redis presence keys: random */
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

/* Answers and finishes a request that will not be parked: dispatch_error's JSON answer. */
static void answer_error(FCGX_Request *fr, ctx *c, err_t e)
{
    c->rq.is_api = 1;                        /* the hub never renders pages */
    answer_error_json(c, e);
    buf out;
    buf_init(&out);
    resp_serialize(c->rs, 0, &out);
    FCGX_PutStr(out.data ? out.data : "", (int)out.len, fr->out);
    buf_free(&out);
    FCGX_Finish_r(fr);
    free(fr);
}

/* A number from a header or query value; -1 when absent, -2 when malformed. */
static long long num(const char *v)
{
    long long x;
    if (!v) return -1;
    return num_parse(v, strlen(v), &x) ? -2 : x;
}

static void serve(worker *w, FCGX_Request *fr)
{
    ctx c;
    worker_ctx(w, &c);
    err_t e = req_parse(&c.rq, c.svc.a, io_getenv, fr->envp, fr->envp, cfg.trusted_proxy);
    if (e) { answer_error(fr, &c, e); return; }
    if (strcmp(c.rq.path, "/events") || !c.rq.is_api) {
        answer_error(fr, &c, ctx_fail(&c, ERR_NOT_FOUND, NULL, "The events hub serves /api/v1/events only."));
        return;
    }
    if (strcmp(c.rq.method, "GET")) { answer_error(fr, &c, ERR_METHOD_NOT_ALLOWED); return; }
    if ((e = auth_resolve(&c)) == ERR_OK && !c.svc.user) e = ERR_UNAUTHORIZED;
    if (!e) e = auth_gate(c.svc.user);                 /* nothing streams to a gated account */
    if (e) { answer_error(fr, &c, e); return; }
    const char *accept = c.rq.accept ? c.rq.accept : "";
    int sse = strstr(accept, "text/event-stream") != NULL;
    /* A long-poll's `after` (what reached the hub after that event) outranks its cursor. */
    long long last = num(io_getenv(fr->envp, "HTTP_LAST_EVENT_ID")), after = num(req_query(&c.rq, "after"));
    if (after == -2) { answer_error(fr, &c, ctx_fail(&c, ERR_INVALID_FIELD, "after", "after must be an event id.")); return; }
    int by_arrival = !sse && after >= 0;
    if (by_arrival) last = after;
    if (last == -1) last = num(req_query(&c.rq, "cursor"));
    if (last == -1) last = num(req_query(&c.rq, "last_event_id"));
    long long timeout = num(req_query(&c.rq, "timeout"));
    if (last == -2) { answer_error(fr, &c, ctx_fail(&c, ERR_INVALID_FIELD, "cursor", "cursor must be an event id.")); return; }
    if (timeout == -1) timeout = 30;
    if (timeout < 1 || timeout > 60) {
        answer_error(fr, &c, ctx_fail(&c, ERR_INVALID_FIELD, "timeout", "timeout must be 1 to 60 seconds."));
        return;
    }
    if (sse) {
        buf head;
        buf_init(&head);
        buf_puts(&head, "Status: 200 OK\r\nContent-Type: text/event-stream\r\nX-Accel-Buffering: no\r\n");
        resp_security_headers(&head);
        buf_puts(&head, "\r\nretry: 2000\n\n");
        int bad = FCGX_PutStr(head.data, (int)head.len, fr->out) != (int)head.len || FCGX_FFlush(fr->out) != 0;
        buf_free(&head);
        if (bad) { FCGX_Finish_r(fr); free(fr); return; }
    }
    char cred[HUB_CRED_MAX];                 /* what ends this stream when it ends */
    if (c.token_id) snprintf(cred, sizeof cred, "t:%lld", c.token_id);
    else snprintf(cred, sizeof cred, "s:%s", c.sess_id);
    /* A reconnect this hub's buffer cannot serve (another hub had it, or this one
     * restarted): the log replays it, with the ids below last that reached this hub after
     * it (an event stream's last event is the last it got: those may still be missing). */
    hub_replay rp = {0}, *rpp = NULL;
    evlog_event *evs;
    size_t n, nlate = 0;
    long long *late = NULL;                                                     /* malloc'd */
    int ask = hub_prepare(c.svc.user->id, last);
    if (ask && (sse || by_arrival)) (void)follow_late(last, &late, &nlate);  /* unknown here: none */
    if (ask && evlog_replay(&c.svc, c.svc.user->id, last, late, nlate, &evs, &n, &rp.resync) == ERR_OK) {
        long long *ids = arena_alloc(c.svc.a, sizeof *ids * (n + 1));             /* arena-owned */
        const char **json = arena_alloc(c.svc.a, sizeof *json * (n + 1));
        for (size_t i = 0; ids && json && i < n; i++) ids[i] = evs[i].id, json[i] = evs[i].json;
        rp.ids = ids;
        rp.json = json;
        rp.n = ids && json ? n : 0;
        rp.resync |= !ids || !json;
        rpp = &rp;
    }
    free(late);
    hub_park(fr, c.svc.user->id, cred, sse, last, by_arrival, clock_now_ms() + timeout * 1000, rpp);
}

static void *accept_main(void *arg)
{
    (void)arg;
    worker w;
    worker_init(&w, &cfg);
    for (;;) {
        FCGX_Request *fr = calloc(1, sizeof *fr);
        if (!fr || FCGX_InitRequest(fr, listen_fd, 0) != 0) { free(fr); sleep(1); continue; }
        pthread_mutex_lock(&accept_lock);
        int rc = FCGX_Accept_r(fr);
        pthread_mutex_unlock(&accept_lock);
        if (rc < 0) { free(fr); break; }
        serve(&w, fr);                     /* fr now belongs to the hub or is finished */
    }
    worker_free(&w);
    return NULL;
}

/* Delivers from event_log what Redis did not bring (follow.h): a page server killed
 * between its commit and its publication, a publication lost with Redis. */
static void *follow_main(void *arg)
{
    (void)arg;
    worker w;
    worker_init(&w, &cfg);
    enum { ROUND_MS = 250, FRESH_MAX = 5000 };
    for (;;) {
        svc c;
        worker_svc(&w, &c);
        long long *pend;
        size_t npend, nfresh = 0, nagain = 0;
        long long hi = follow_plan(&pend, &npend);
        evlog_mark *fresh = NULL, *again = NULL;
        err_t e = pend ? evlog_marks_after(&c, hi, FRESH_MAX, &fresh, &nfresh) : ERR_INTERNAL;
        if (!e && npend) e = evlog_marks_of(&c, pend, npend, &again, &nagain);
        free(pend);
        if (e) { usleep(ROUND_MS * 1000); continue; }        /* PostgreSQL away: the same round again */
        follow_row *rows = malloc(sizeof *rows * (nfresh + nagain + 1));    /* the same pairs, as follow.h takes them */
        for (size_t i = 0; rows && i < nfresh; i++) rows[i] = (follow_row){fresh[i].id, fresh[i].age_ms};
        for (size_t i = 0; rows && i < nagain; i++) rows[nfresh + i] = (follow_row){again[i].id, again[i].age_ms};
        long long *repair = NULL;
        size_t nrepair = 0;
        if (rows) follow_round(hi, rows, nfresh, rows + nfresh, nagain, clock_now_ms(), &repair, &nrepair);
        free(rows);
        size_t reached = 0;                                  /* of them, events some stream here got */
        for (size_t i = 0; repair && i < nrepair; i++) {
            worker_svc(&w, &c);
            const char *json;
            long long *uids;
            size_t n;
            if (evlog_load(&c, repair[i], &json, &uids, &n) || !json) continue;
            int any = 0;
            for (size_t k = 0; k < n; k++) any |= hub_deliver(uids[k], repair[i], json);
            reached += any;
        }
        if (reached) log_info("events: %zu events delivered from the log (Redis did not bring them)", reached);
        free(repair);
        if (nfresh < FRESH_MAX) usleep(ROUND_MS * 1000);
    }
    return NULL;
}

static void *timer_main(void *arg)
{
    (void)arg;
    long long last_log = 0;
    for (;;) {
        usleep(1000 * 1000);
        hub_tick();
        if (clock_now_ms() - last_log > 60000) {
            long s, u;
            hub_counts(&s, &u);
            size_t convs, uids;
            unsigned long long deferred;
            convmap_counts(&convs, &uids, &deferred);
            log_info("events: %ld open streams, %ld users; member lists of %zu conversations (%zu ids); "
                     "%llu conversation events left to the log follower", s, u, convs, uids, deferred);
            last_log = clock_now_ms();
        }
    }
    return NULL;
}

/* Ends the streams whose credentials no longer exist. The end of a session or token is
 * announced at once (parley:ended); this catches what that missed (Redis down at that
 * moment, a session that expired, a key removed by hand). A backend that cannot answer
 * ends nothing. */
static void creds_recheck(worker *w)
{
    char (*creds)[HUB_CRED_MAX];
    size_t n = hub_creds(&creds);
    if (!n) { free(creds); return; }
    svc c;
    worker_svc(w, &c);
    const char **sids = arena_alloc(c.a, sizeof *sids * n);          /* arena-owned */
    long long *tids = arena_alloc(c.a, sizeof *tids * n);
    int *alive = arena_alloc(c.a, sizeof *alive * n);
    size_t ns = 0, nt = 0;
    for (size_t i = 0; sids && tids && alive && i < n; i++) {
        if (creds[i][0] == 's') sids[ns++] = creds[i] + 2;
        else if (num_parse(creds[i] + 2, strlen(creds[i] + 2), &tids[nt]) == 0) nt++;
    }
    /* The dead ones, collected into a fresh list and ended in one pass over the streams. */
    char (*dead)[HUB_CRED_MAX] = calloc(n, HUB_CRED_MAX);
    size_t nd = 0;
    if (dead && sids && alive && ns && sess_alive(&c, sids, ns, alive) == ERR_OK)
        for (size_t i = 0; i < ns; i++) if (!alive[i]) memcpy(dead[nd++], sids[i] - 2, HUB_CRED_MAX);
    if (dead && tids && alive && nt && tokens_alive(&c, tids, nt, alive) == ERR_OK)
        for (size_t i = 0; i < nt; i++) if (!alive[i]) snprintf(dead[nd++], HUB_CRED_MAX, "t:%lld", tids[i]);
    if (dead) hub_creds_ended(dead, nd);
    free(dead);
    free(creds);
}

static void *recheck_main(void *arg)
{
    (void)arg;
    worker w;
    worker_init(&w, &cfg);
    for (;;) {
        sleep((unsigned)cfg.events_recheck);
        creds_recheck(&w);
    }
    return NULL;
}

/* Leaves that Redis did not take (it was down): tried again every round, because a lost
 * leave would keep someone online; a newer join of the same person cancels it. */
typedef struct pres_retry {
    hub_pres_change *v;
    size_t n, cap;
} pres_retry;

static void retry_drop(pres_retry *r, long long uid)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].uid == uid) r->v[i--] = r->v[--r->n];
}

static void retry_add(pres_retry *r, hub_pres_change ch)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        hub_pres_change *v = realloc(r->v, cap * sizeof *v);
        if (!v) { log_warn("presence: leave of %lld lost (out of memory)", ch.uid); return; }
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = ch;
}

/* Applies one change; a failed leave goes to the retries. */
static void pres_apply(svc *c, pres_retry *retry, hub_pres_change ch)
{
    if (ch.kind == HUB_PRES_LEAVE) {
        if (presence_leave(c, hub_id, ch.uid, clock_now_ms() - ch.ended_ms)) retry_add(retry, ch);
        return;
    }
    if (ch.kind == HUB_PRES_JOIN) retry_drop(retry, ch.uid);
    presence_change(c, ch.kind == HUB_PRES_JOIN ? hub_id : NULL, ch.uid, ch.kind == HUB_PRES_JOIN ? PRES_JOIN : PRES_TOUCH);
}

/* Renews everyone this hub holds (and finds who turned away), then sweeps crashed hubs. */
static void pres_renew(worker *w)
{
    svc c;
    long long *held;
    size_t k = hub_presence_held(&held);
    worker_svc(w, &c);
    presence_renew(&c, hub_id, held, k);
    free(held);
    worker_svc(w, &c);
    presence_sweep(&c, hub_id);
    /* What GET /metrics (parley.fcgi) reports of this hub: gone with the hub after a TTL. */
    long s, u;
    hub_counts(&s, &u);
    size_t convs, uids;
    unsigned long long deferred;
    convmap_counts(&convs, &uids, &deferred);
    redisReply *r;
    if (!kv_cmd(c.kv, &r, "SET parley:hubstats:%s %ld:%ld:%llu:%llu:%llu EX %ld", hub_id, s, u, hub_delivered_total(),
                     hub_slow_total(), deferred, cfg.presence_ttl))
        freeReplyObject(r);
}

/* Tells Redis who this hub holds: joins and leaves as they happen, a renewal of everyone
 * every third of the presence TTL (never held up by a long queue: other hubs would take
 * this one for dead), and takes over crashed hubs. */
static void *presence_main(void *arg)
{
    (void)arg;
    worker w;
    worker_init(&w, &cfg);
    pres_retry retry = {0};
    long long period = cfg.presence_ttl * 1000 / 3, next = 0;
    for (;;) {
        hub_pres_change *q;
        size_t n = hub_presence_take(&q, 1000);
        svc c;
        worker_svc(&w, &c);
        pres_retry again = retry;                        /* the older ones first: order matters */
        retry = (pres_retry){0};
        for (size_t i = 0; i < again.n; i++) pres_apply(&c, &retry, again.v[i]);
        free(again.v);
        for (size_t i = 0; i < n; i++) {
            pres_apply(&c, &retry, q[i]);
            if (i % 64 == 63) {
                worker_svc(&w, &c);                      /* keep the arena small in a burst */
                if (clock_now_ms() >= next) { next = clock_now_ms() + period; pres_renew(&w); worker_svc(&w, &c); }
            }
        }
        free(q);
        if (clock_now_ms() >= next) { next = clock_now_ms() + period; pres_renew(&w); }
    }
    return NULL;
}

int main(void)
{
    char err[512];
    if (config_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "parley-events.fcgi: configuration: %s\n", err);
        return 2;
    }
    if (sodium_init() < 0 || users_init(&cfg)) return 1;
    json_object_seed(0);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;                        /* every open stream holds a descriptor */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
    if (FCGX_Init() != 0) return 1;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    const char *listen_on = cfg.events_listen;
    if (*listen_on) {
        if (listen_on[0] == '/') unlink(listen_on);
        mode_t old = umask(0007);
        listen_fd = FCGX_OpenSocket(listen_on, 4096);
        umask(old);
        if (listen_fd < 0) { fprintf(stderr, "parley-events.fcgi: cannot listen on %s\n", listen_on); return 1; }
    }
    db ids;                                  /* where the event ids come from */
    db_init(&ids, cfg.db, cfg.backend_timeout_ms, (const db_stmt *const[]){pubsub_stmts, NULL});
    pubsub_raise(&ids, cfg.redis, cfg.backend_timeout_ms);
    long long latest = pubsub_latest(&ids);
    db_close(&ids);
    hub_init(latest < 0 ? 0 : latest);
    follow_init(latest < 0 ? 0 : latest);
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hub_id, sizeof hub_id, rnd, sizeof rnd);
    pthread_t t;
    if (pthread_create(&t, NULL, pubsub_main, &cfg) || pthread_create(&t, NULL, timer_main, NULL) ||
        pthread_create(&t, NULL, presence_main, NULL) || pthread_create(&t, NULL, recheck_main, NULL) ||
        pthread_create(&t, NULL, follow_main, NULL))
        return 1;
    log_info("parley-events.fcgi %s listening on %s with %d accept threads", hub_id, *listen_on ? listen_on : "fd 0",
             cfg.events_threads);
    pthread_t *acc = calloc((size_t)cfg.events_threads, sizeof *acc);
    for (int i = 0; acc && i < cfg.events_threads; i++) pthread_create(&acc[i], NULL, accept_main, NULL);
    for (int i = 0; acc && i < cfg.events_threads; i++) pthread_join(acc[i], NULL);
    return 0;
}
