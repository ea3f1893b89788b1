/* push_pool.h — parley-worker's Web Push sender: many notifications in flight at once through
 * libcurl's multi interface. Each worker thread keeps one multi handle for its whole life, and
 * with it a connection cache: connections to a push service stay open from one batch of jobs
 * to the next, HTTP/2 streams share one connection where the service speaks HTTP/2 over TLS
 * (CURLPIPE_MULTIPLEX, CURLOPT_PIPEWAIT), and HTTP/1.1 connections are kept alive and reused.
 * At most PARLEY_PUSH_CONNECTIONS requests are in flight per origin (and four times that in
 * all). Every endpoint passes the outbound guard (cgi/core/outbound.h), checked once per
 * origin per call and pinned with CURLOPT_RESOLVE. Each notification is encrypted (RFC 8291,
 * its own key pair and salt) just before it is sent, so memory stays bounded; the VAPID header
 * comes from push_origin.h (one signature per origin per 11 hours). An origin that answers 429
 * or 503 with Retry-After is left alone for that long, by every thread and, through Redis, every
 * worker process (push_origin_backoff): what was not yet sent to it comes back as PUSH_WAIT. */
#ifndef PARLEY_PUSH_POOL_H
#define PARLEY_PUSH_POOL_H
#include <stddef.h>
#include "../core/config.h"
#include "../store/kv.h"

enum push_state {
    PUSH_PENDING = 0,
    PUSH_SENT,        /* 2xx */
    PUSH_GONE,        /* 404 or 410: the browser unsubscribed */
    PUSH_FAILED,      /* refused address, bad key, another 4xx (413 too): recorded, not retried */
    PUSH_RETRY,       /* 429, 5xx, no answer: worth another try later */
    PUSH_WAIT,        /* not tried: its origin asked us to wait (retry_after seconds) */
};

/* One notification. The caller fills the first part (borrowed strings that outlive the call);
 * push_pool_send fills the rest. */
typedef struct push_item {
    const char *endpoint, *p256dh_hex, *auth_hex;   /* the subscription */
    const char *plain;                              /* the JSON to encrypt */
    const char *urgency;                            /* "high", "normal" or "low" */
    long long topic;                                /* Topic: conversation-<topic> */
    int skip;                                       /* 1: leave it alone (a duplicate) */
    enum push_state state;
    long status;                                    /* the HTTP status, 0 when none */
    long retry_after;                               /* PUSH_RETRY/PUSH_WAIT: seconds asked for, or 0 */
    char why[200];                                  /* for logs and the device's last_error */
} push_item;

/* Called as each item is settled (not for PUSH_WAIT items nobody tried, nor skipped ones),
 * and tick about every 100 ms and at the end: the caller records outcomes and renews leases
 * there (the transfers in flight wait meanwhile). */
typedef struct push_hooks {
    void (*done)(void *ud, push_item *it);
    void (*tick)(void *ud);
    void *ud;
} push_hooks;

/* Sends items[0..n) with this thread's multi handle (made at the first call). k: this
 * thread's Redis, for the waits push services asked for (NULL: none shared). Returns when
 * every item is settled, with the most requests that were in flight at once. */
int push_pool_send(const config *cfg, kv *k, push_item *items, size_t n, const push_hooks *hooks);
/* Closes this thread's multi handle and its connections (also done at thread exit). */
void push_pool_close(void);

#endif
