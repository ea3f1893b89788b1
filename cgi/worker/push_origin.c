/* push_origin.c — see push_origin.h. Who owns what: the table is static and lives as long as
 * the process; every answer is copied out under the lock, so no pointer into it escapes. */
#include "push_origin.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/outbound.h"
#include "../core/vapid.h"

typedef struct po_entry {
    char origin[OUTBOUND_HOST_MAX + 32];      /* "" = free */
    char authz[VAPID_HEADER_MAX + 32];        /* "Authorization: vapid …", "" until signed */
    long long authz_exp;                      /* the JWT's exp */
    long long wait_until;                     /* no requests before this unix time */
    unsigned long long used;                  /* for replacing the least recently used */
} po_entry;

static pthread_mutex_t po_lock = PTHREAD_MUTEX_INITIALIZER;
static po_entry po_table[PUSH_ORIGINS_MAX];
static unsigned long long po_clock;

/* The entry of origin, made (replacing the least recently used) when make; NULL when absent.
 * Called with po_lock held. */
static po_entry *po_find(const char *origin, int make)
{
    po_entry *lru = &po_table[0];
    for (int i = 0; i < PUSH_ORIGINS_MAX; i++) {
        po_entry *e = &po_table[i];
        if (e->origin[0] && !strcmp(e->origin, origin)) { e->used = ++po_clock; return e; }
        if (e->used < lru->used) lru = e;
    }
    if (!make) return NULL;
    memset(lru, 0, sizeof *lru);
    snprintf(lru->origin, sizeof lru->origin, "%s", origin);
    lru->used = ++po_clock;
    return lru;
}

int push_origin_authz(const config *cfg, const char *endpoint, long long now, char *out, size_t cap, int *signed_now)
{
    char origin[OUTBOUND_HOST_MAX + 32];
    if (signed_now) *signed_now = 0;
    if (vapid_origin(endpoint, origin, sizeof origin)) return -1;
    int hit = 0;
    pthread_mutex_lock(&po_lock);
    po_entry *e = po_find(origin, 0);
    if (e && e->authz[0] && e->authz_exp - now > PUSH_VAPID_RENEW && strlen(e->authz) < cap) {
        memcpy(out, e->authz, strlen(e->authz) + 1);
        hit = 1;
    }
    pthread_mutex_unlock(&po_lock);
    if (hit) return 0;
    /* Signed outside the lock: two threads may both sign once; either header is good. */
    char line[VAPID_HEADER_MAX + 32];
    int n = snprintf(line, sizeof line, "Authorization: ");
    if (vapid_authorization(cfg->vapid_public, cfg->vapid_private, cfg->vapid_subject, endpoint, now, line + n,
                            sizeof line - (size_t)n) || strlen(line) >= cap)
        return -1;
    memcpy(out, line, strlen(line) + 1);
    if (signed_now) *signed_now = 1;
    pthread_mutex_lock(&po_lock);
    e = po_find(origin, 1);
    memcpy(e->authz, line, strlen(line) + 1);
    e->authz_exp = now + 43200;      /* vapid_authorization's lifetime */
    pthread_mutex_unlock(&po_lock);
    return 0;
}

/* Sets a remembered wait of origin to until when later than the one it has. */
static void po_wait_set(const char *origin, long long until)
{
    pthread_mutex_lock(&po_lock);
    po_entry *e = po_find(origin, 1);
    if (until > e->wait_until) e->wait_until = until;
    pthread_mutex_unlock(&po_lock);
}

void push_origin_backoff(kv *k, const char *origin, long long now, long long until)
{
    if (until > now + PUSH_BACKOFF_MAX) until = now + PUSH_BACKOFF_MAX;
    if (until <= now) return;
    po_wait_set(origin, until);
    redisReply *r;
    if (k && kv_cmd(k, &r, "SET parley:pushwait:%s %lld EX %lld", origin, until, until - now) == ERR_OK)
        freeReplyObject(r);
}

long push_origin_wait(kv *k, const char *origin, long long now)
{
    long long until = 0;
    pthread_mutex_lock(&po_lock);
    po_entry *e = po_find(origin, 0);
    if (e) until = e->wait_until;
    pthread_mutex_unlock(&po_lock);
    redisReply *r;
    if (until <= now && k && kv_cmd(k, &r, "GET parley:pushwait:%s", origin) == ERR_OK) {
        if (r->type == REDIS_REPLY_STRING) until = atoll(r->str);
        freeReplyObject(r);
        if (until > now + PUSH_BACKOFF_MAX) until = now + PUSH_BACKOFF_MAX;
        if (until > now) po_wait_set(origin, until);        /* another worker's: remembered here too */
    }
    return until > now ? (long)(until - now) : 0;
}

void push_origin_reset(void)
{
    pthread_mutex_lock(&po_lock);
    memset(po_table, 0, sizeof po_table);
    po_clock = 0;
    pthread_mutex_unlock(&po_lock);
}
