/* push_pool.c — see push_pool.h. Who owns what: the multi handle is this thread's (made at the
 * first call, closed at thread exit by a pthread key's destructor); the easy handles, header
 * lists, origin table and queue arrays are made and freed inside one push_pool_send call; the
 * items and their strings are the caller's. */
#include "push_pool.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <sodium.h>
#include "../core/log.h"
#include "../core/outbound.h"
#include "../core/vapid.h"
#include "../core/webpush.h"
#include "push_origin.h"
#include "push_send.h"
#include "../core/clock.h"

static __thread CURLM *pp_multi;
static pthread_key_t pp_key;
static pthread_once_t pp_once = PTHREAD_ONCE_INIT;

static void pp_destroy(void *m) { curl_multi_cleanup(m); }
static void pp_key_make(void) { pthread_key_create(&pp_key, pp_destroy); }

void push_pool_close(void)
{
    if (!pp_multi) return;
    curl_multi_cleanup(pp_multi);
    pp_multi = NULL;
    pthread_setspecific(pp_key, NULL);
}

/* One push service origin seen in this call. */
typedef struct pp_origin {
    char name[OUTBOUND_HOST_MAX + 32];    /* vapid_origin's text: the JWT's aud and the key here */
    int checked, bad;                     /* guard consulted; refused (why says so) */
    char why[200];
    struct curl_slist *pin;               /* CURLOPT_RESOLVE "host:port:ip" */
    char authz[VAPID_HEADER_MAX + 32];    /* "Authorization: vapid …" */
    int https;
    long long wait_until;                 /* unix time: nothing more until then (Retry-After) */
    int inflight;
    long head, tail;                      /* its queue of items not started (next[] links), -1 */
} pp_origin;

/* One request in flight. */
typedef struct pp_slot {
    CURL *h;
    struct curl_slist *hdrs;
    long item;                            /* -1: free */
    int origin;
    long retry_after;
    char err[CURL_ERROR_SIZE];
    unsigned char body[WEBPUSH_RECORD_SIZE];
} pp_slot;

/* The state of one call. */
typedef struct pp_run {
    const config *cfg;
    kv *kv;
    push_item *items;
    size_t n;
    const push_hooks *hooks;
    pp_origin *origins;
    int norigins, cap_origins;
    int *hash;                            /* open addressing over origins (index + 1; 0 = empty) */
    size_t hash_cap;
    long *next;                           /* per item: the next one of its origin's queue */
    int *origin_of;                       /* per item: its origin, or -1 */
    pp_slot *slots;
    int nslots, inflight, most;           /* most: the highest inflight seen */
    long pending;                         /* items queued, not started */
} pp_run;

static size_t pp_discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p; (void)ud;
    return size * n;
}

/* Retry-After: delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
static size_t pp_header(char *p, size_t size, size_t n, void *ud)
{
    pp_slot *s = ud;
    size_t len = size * n;
    if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
        char v[64];
        size_t k = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
        memcpy(v, p + 12, k);
        v[k] = '\0';
        char *q = v, *end;
        while (*q == ' ' || *q == '\t') q++;
        long secs = strtol(q, &end, 10);
        if (end == q) {
            time_t at = curl_getdate(q, NULL);
            secs = at > 0 ? (long)(at - time(NULL)) : 0;
        }
        if (secs > 0) s->retry_after = secs < 86400 ? secs : 86400;
    }
    return len;
}

static unsigned long pp_hash_str(const char *s)
{
    unsigned long h = 5381;
    while (*s) h = h * 33 + (unsigned char)*s++;
    return h;
}

/* The index of origin name, added when new; -1 when out of memory. */
static int pp_origin_index(pp_run *r, const char *name)
{
    size_t i = pp_hash_str(name) & (r->hash_cap - 1);
    while (r->hash[i]) {
        if (!strcmp(r->origins[r->hash[i] - 1].name, name)) return r->hash[i] - 1;
        i = (i + 1) & (r->hash_cap - 1);
    }
    if (r->norigins == r->cap_origins) {
        int cap = r->cap_origins ? r->cap_origins * 2 : 8;
        pp_origin *o = realloc(r->origins, (size_t)cap * sizeof *o);
        if (!o) return -1;
        r->origins = o;
        r->cap_origins = cap;
    }
    pp_origin *o = &r->origins[r->norigins];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name);
    o->head = o->tail = -1;
    r->hash[i] = ++r->norigins;
    return r->norigins - 1;
}

/* Settles item i (not started, or finished) and tells the caller. */
static void pp_settle(pp_run *r, long i, enum push_state st, long status, long retry_after, const char *why)
{
    push_item *it = &r->items[i];
    it->state = st;
    it->status = status;
    it->retry_after = retry_after;
    snprintf(it->why, sizeof it->why, "%s", why ? why : "");
    if (r->hooks && r->hooks->done && st != PUSH_WAIT) r->hooks->done(r->hooks->ud, it);
}

/* Every item still queued for origin o settles as st (the guard refused it, or it waits). */
static void pp_drain(pp_run *r, pp_origin *o, enum push_state st, long retry_after, const char *why)
{
    for (long i = o->head; i >= 0; i = r->next[i]) {
        pp_settle(r, i, st, 0, retry_after, why);
        r->pending--;
    }
    o->head = o->tail = -1;
}

/* First use of origin o in this call: the guard (DNS once), the pin, the VAPID header and
 * whether it asked us to wait. 0 when its items may go. */
static int pp_origin_ready(pp_run *r, pp_origin *o, const char *endpoint)
{
    long long now = (long long)time(NULL);
    if (!o->checked) {
        o->checked = 1;
        outbound_url u;
        const char *bad;
        char ip[OUTBOUND_IP_MAX];
        if (outbound_parse(endpoint, &u, &bad)) {
            snprintf(o->why, sizeof o->why, "refused: %s", bad);
            o->bad = 1;
        } else if (outbound_check(r->cfg->outbound_allow, &u, ip, o->why, sizeof o->why)) {
            o->bad = 1;
        } else {
            char pin[OUTBOUND_HOST_MAX + OUTBOUND_IP_MAX + 16];
            snprintf(pin, sizeof pin, strchr(ip, ':') ? "%s:%d:[%s]" : "%s:%d:%s", u.host, u.port, ip);
            o->pin = curl_slist_append(NULL, pin);
            o->https = u.https;
            if (!o->pin) { snprintf(o->why, sizeof o->why, "out of memory"); o->bad = 1; }
        }
        if (!o->bad && push_origin_authz(r->cfg, endpoint, now, o->authz, sizeof o->authz, NULL)) {
            snprintf(o->why, sizeof o->why, "could not encrypt or sign for this subscription");
            o->bad = 1;
        }
        long wait = o->bad ? 0 : push_origin_wait(r->kv, o->name, now);
        if (wait > 0) o->wait_until = now + wait;
    }
    if (o->bad) {
        pp_drain(r, o, PUSH_FAILED, 0, o->why);
        return -1;
    }
    if (o->wait_until > now) {
        char why[200];
        snprintf(why, sizeof why, "%.120s asked us to wait %lld s (Retry-After)", o->name, o->wait_until - now);
        pp_drain(r, o, PUSH_WAIT, (long)(o->wait_until - now), why);
        return -1;
    }
    return 0;
}

/* Starts item i of origin oi in a free slot: encrypts, builds the request, adds it to the
 * multi handle. Items that cannot go settle at once. */
static void pp_start(pp_run *r, CURLM *m, long i, int oi)
{
    push_item *it = &r->items[i];
    pp_origin *o = &r->origins[oi];
    unsigned char key[WEBPUSH_KEY_LEN], auth[WEBPUSH_AUTH_LEN];
    size_t kl = 0, al = 0;
    pp_slot *s = NULL;
    for (int k = 0; k < r->nslots; k++)
        if (r->slots[k].item < 0) { s = &r->slots[k]; break; }
    long n = -1;
    if (s && !sodium_hex2bin(key, sizeof key, it->p256dh_hex, strlen(it->p256dh_hex), NULL, &kl, NULL) &&
        !sodium_hex2bin(auth, sizeof auth, it->auth_hex, strlen(it->auth_hex), NULL, &al, NULL) &&
        kl == sizeof key && al == sizeof auth)
        n = webpush_encrypt_fresh(key, auth, (const unsigned char *)it->plain, strlen(it->plain), s->body, sizeof s->body);
    if (!s || n < 0) {
        pp_settle(r, i, PUSH_FAILED, 0, 0, "could not encrypt or sign for this subscription");
        return;
    }
    if (!s->h && !(s->h = curl_easy_init())) { pp_settle(r, i, PUSH_RETRY, 0, 0, "out of memory"); return; }
    curl_easy_reset(s->h);
    char ttl[32], topic[48], urgency[32];
    snprintf(ttl, sizeof ttl, "TTL: %d", PUSH_TTL);
    snprintf(topic, sizeof topic, "Topic: conversation-%lld", it->topic);   /* replaces the previous one */
    snprintf(urgency, sizeof urgency, "Urgency: %s", it->urgency ? it->urgency : "normal");
    const char *lines[] = {o->authz, "Content-Type: application/octet-stream", "Content-Encoding: aes128gcm", ttl,
                           urgency, topic, NULL};
    struct curl_slist *h = NULL;
    for (int k = 0; lines[k]; k++) {
        struct curl_slist *t = curl_slist_append(h, lines[k]);
        if (!t) { curl_slist_free_all(h); pp_settle(r, i, PUSH_RETRY, 0, 0, "out of memory"); return; }
        h = t;
    }
    long timeout = r->cfg->job_lease / 4 < 15 ? r->cfg->job_lease / 4 : 15;
    if (timeout < 1) timeout = 1;
    s->hdrs = h;
    s->item = i;
    s->origin = oi;
    s->retry_after = 0;
    s->err[0] = '\0';
    CURL *e = s->h;
    curl_easy_setopt(e, CURLOPT_URL, it->endpoint);
    curl_easy_setopt(e, CURLOPT_RESOLVE, o->pin);    /* connect to the address the guard checked */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, o->https ? "https" : "http");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);   /* HTTP/2 when TLS offers it */
    if (o->https) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);   /* wait for a stream on the open connection */
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, pp_discard);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, pp_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->err);
    if (curl_multi_add_handle(m, e) != CURLM_OK) {
        curl_slist_free_all(h);
        s->hdrs = NULL;
        s->item = -1;
        pp_settle(r, i, PUSH_RETRY, 0, 0, "could not start the request");
        return;
    }
    o->inflight++;
    if (++r->inflight > r->most) r->most = r->inflight;
}

/* A finished transfer: what its answer means (push_send.h), then the slot is free. */
static void pp_finish(pp_run *r, CURLM *m, pp_slot *s, CURLcode rc)
{
    long status = 0, i = s->item;
    pp_origin *o = &r->origins[s->origin];
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(m, s->h);     /* its connection stays in the multi handle's cache */
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
    s->item = -1;
    o->inflight--;
    r->inflight--;
    char why[200];
    if (rc != CURLE_OK || !status) {
        snprintf(why, sizeof why, "%.60s: %.130s", o->name + (o->https ? 8 : 7), s->err[0] ? s->err : curl_easy_strerror(rc));
        pp_settle(r, i, PUSH_RETRY, 0, 0, why);
        return;
    }
    snprintf(why, sizeof why, "the push service answered %ld", status);
    if (status >= 200 && status < 300) pp_settle(r, i, PUSH_SENT, status, 0, "");
    else if (status == 404 || status == 410) pp_settle(r, i, PUSH_GONE, status, 0, why);
    else if ((status == 429 || status == 503) && s->retry_after > 0) {
        /* Back off the whole origin, here and in every thread; the rest of its queue waits. */
        long long now = (long long)time(NULL);
        push_origin_backoff(r->kv, o->name, now, now + s->retry_after);
        if (o->wait_until < now + s->retry_after) o->wait_until = now + s->retry_after;
        log_warn("push: %s answered %ld with Retry-After %ld s: no more requests to it until then", o->name, status,
                 s->retry_after);
        snprintf(why, sizeof why, "the push service answered %ld (Retry-After %ld s)", status, s->retry_after);
        pp_settle(r, i, PUSH_RETRY, status, s->retry_after, why);
    } else if (status == 429 || status >= 500) pp_settle(r, i, PUSH_RETRY, status, 0, why);
    else {
        if (status == 413) {
            log_warn("push: %s answered 413: a notification of %zu bytes was too large", o->name, strlen(r->items[i].plain));
            snprintf(why, sizeof why, "the push service answered 413: the notification is too large");
        }
        pp_settle(r, i, PUSH_FAILED, status, 0, why);
    }
}

static CURLM *pp_get_multi(const config *cfg)
{
    pthread_once(&pp_once, pp_key_make);
    if (!pp_multi) {
        pp_multi = curl_multi_init();
        if (pp_multi) pthread_setspecific(pp_key, pp_multi);
    }
    if (pp_multi) {
        long per = cfg->push_connections;
        curl_multi_setopt(pp_multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
        curl_multi_setopt(pp_multi, CURLMOPT_MAX_HOST_CONNECTIONS, per);
        curl_multi_setopt(pp_multi, CURLMOPT_MAX_CONCURRENT_STREAMS, per);
        curl_multi_setopt(pp_multi, CURLMOPT_MAXCONNECTS, per * 4);   /* idle connections kept for the next batch */
    }
    return pp_multi;
}

int push_pool_send(const config *cfg, kv *redis, push_item *items, size_t n, const push_hooks *hooks)
{
    pp_run r = {.cfg = cfg, .kv = redis, .items = items, .n = n, .hooks = hooks};
    CURLM *m = n ? pp_get_multi(cfg) : NULL;
    r.hash_cap = 16;
    while (r.hash_cap < 2 * n + 2) r.hash_cap *= 2;
    r.nslots = (int)cfg->push_connections * 4;
    r.hash = calloc(r.hash_cap, sizeof *r.hash);
    r.next = malloc((n ? n : 1) * sizeof *r.next);
    r.origin_of = malloc((n ? n : 1) * sizeof *r.origin_of);
    r.slots = calloc((size_t)r.nslots, sizeof *r.slots);
    if (n && (!m || !r.hash || !r.next || !r.origin_of || !r.slots)) {
        for (size_t i = 0; i < n; i++)
            if (!items[i].skip) pp_settle(&r, (long)i, PUSH_RETRY, 0, 0, "out of memory");
        goto out;
    }
    for (int k = 0; k < r.nslots; k++) r.slots[k].item = -1;
    /* Each item to its origin's queue, in order. */
    for (size_t i = 0; i < n; i++) {
        char name[OUTBOUND_HOST_MAX + 32];
        items[i].state = PUSH_PENDING;
        r.next[i] = -1;
        r.origin_of[i] = -1;
        if (items[i].skip) continue;
        if (vapid_origin(items[i].endpoint, name, sizeof name)) {
            outbound_url u;
            const char *bad = "not a URL";
            outbound_parse(items[i].endpoint, &u, &bad);
            char why[200];
            snprintf(why, sizeof why, "refused: %s", bad);
            pp_settle(&r, (long)i, PUSH_FAILED, 0, 0, why);
            continue;
        }
        int oi = pp_origin_index(&r, name);
        if (oi < 0) { pp_settle(&r, (long)i, PUSH_RETRY, 0, 0, "out of memory"); continue; }
        pp_origin *o = &r.origins[oi];
        r.origin_of[i] = oi;
        if (o->tail < 0) o->head = (long)i;
        else r.next[o->tail] = (long)i;
        o->tail = (long)i;
        r.pending++;
    }
    long long last_tick = clock_now_ms();
    int rr = 0;                               /* round robin over origins */
    while (r.pending > 0 || r.inflight > 0) {
        /* Fill free slots, a fair share per origin, none past PARLEY_PUSH_CONNECTIONS. */
        for (int pass = 0; pass < r.norigins && r.pending > 0 && r.inflight < r.nslots; pass++) {
            pp_origin *o = &r.origins[(rr + pass) % r.norigins];
            if (o->head < 0) continue;
            if (pp_origin_ready(&r, o, items[o->head].endpoint)) continue;
            while (o->head >= 0 && o->inflight < cfg->push_connections && r.inflight < r.nslots) {
                long i = o->head;
                o->head = r.next[i];
                if (o->head < 0) o->tail = -1;
                r.pending--;
                pp_start(&r, m, i, r.origin_of[i]);
            }
        }
        if (r.norigins) rr = (rr + 1) % r.norigins;
        int running = 0;
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            pp_slot *s = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            if (s) pp_finish(&r, m, s, msg->data.result);
        }
        if (hooks && hooks->tick && clock_now_ms() - last_tick >= 100) {
            hooks->tick(hooks->ud);
            last_tick = clock_now_ms();
        }
        if (r.inflight > 0) curl_multi_poll(m, NULL, 0, 100, NULL);
    }
out:
    if (hooks && hooks->tick) hooks->tick(hooks->ud);
    for (int k = 0; r.slots && k < r.nslots; k++) {
        if (r.slots[k].item >= 0 && m) curl_multi_remove_handle(m, r.slots[k].h);
        curl_slist_free_all(r.slots[k].hdrs);
        if (r.slots[k].h) curl_easy_cleanup(r.slots[k].h);
    }
    for (int k = 0; k < r.norigins; k++) curl_slist_free_all(r.origins[k].pin);
    free(r.origins);
    free(r.hash);
    free(r.next);
    free(r.origin_of);
    free(r.slots);
    return r.most;
}
