/* convmap.c — see convmap.h. A chained hash table of conversations; each entry owns its
 * malloc'd member array. Idle entries are swept at most once a minute, from the same
 * thread, so nothing here is locked but the counters. */
#include "convmap.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"
#include "../core/log.h"
#include "../core/num.h"
#include "../core/clock.h"

enum { CM_BUCKETS = 4096, CM_SWEEP_MS = 60000 };

typedef struct cm_entry {
    long long conv, epoch, used_ms;
    long long *uids;                 /* malloc'd, n of them */
    size_t n;
    struct cm_entry *next;
} cm_entry;

const db_stmt convmap_stmts[] = {
    /* One statement, one snapshot: the epoch and the list agree (the triggers of sql/030
     * move the epoch in the transaction that changes the list). */
    {"convmap_members", "SELECT c.member_epoch, array_to_string(array(SELECT m.user_id FROM members m "
                        "WHERE m.conversation_id = c.id), ',') FROM conversations c WHERE c.id = $1"},
    {NULL, NULL},
};

static cm_entry *cm_table[CM_BUCKETS];
static long long cm_pause_until, cm_swept_ms;
static _Atomic size_t cm_convs, cm_uids;
static _Atomic unsigned long long cm_deferred;

int convmap_channel(const char *channel, long long *conv, long long *epoch, long long *skip)
{
    static const char prefix[] = "parley:c:";
    if (strncmp(channel, prefix, sizeof prefix - 1)) return -1;
    const char *p = channel + sizeof prefix - 1, *colon = strchr(p, ':');
    if (!colon || num_parse(p, (size_t)(colon - p), conv)) return -1;
    const char *e = colon + 1, *colon2 = strchr(e, ':');
    *skip = 0;
    if (num_parse(e, colon2 ? (size_t)(colon2 - e) : strlen(e), epoch)) return -1;
    if (colon2 && (num_parse(colon2 + 1, strlen(colon2 + 1), skip) || *skip <= 0)) return -1;
    return 0;
}

static void entry_free(cm_entry *e)
{
    cm_convs--;
    cm_uids -= e->n;
    free(e->uids);
    free(e);
}

static void sweep(long long now)
{
    cm_swept_ms = now;
    for (size_t b = 0; b < CM_BUCKETS; b++)
        for (cm_entry **pp = &cm_table[b]; *pp;) {
            cm_entry *e = *pp;
            if (now - e->used_ms < CONVMAP_IDLE_MS) { pp = &e->next; continue; }
            *pp = e->next;
            entry_free(e);
        }
}

/* Reads conv's list into e (created when NULL and bucket b); the entry, or NULL. */
static cm_entry *reload(db *d, long long conv, cm_entry *e, size_t b, long long now)
{
    if (now < cm_pause_until) return NULL;
    char id[24];
    snprintf(id, sizeof id, "%lld", conv);
    const char *p[] = {id};
    PGresult *r;
    if (db_exec(d, "convmap_members", 1, p, &r)) {
        cm_pause_until = now + CONVMAP_DB_PAUSE_MS;
        log_warn("events: cannot read the members of conversation %lld (database); the log follower delivers", conv);
        return NULL;
    }
    if (!PQntuples(r)) { PQclear(r); return NULL; }          /* deleted meanwhile */
    const char *list = PQgetvalue(r, 0, 1);
    size_t cap = *list ? 1 : 0;
    for (const char *q = list; *q; q++) cap += *q == ',';
    long long *uids = malloc(sizeof *uids * (cap + 1));
    size_t n = 0;
    for (const char *q = list; uids && *q;) {
        char *end;
        long long u = strtoll(q, &end, 10);
        if (end == q) break;
        if (u > 0) uids[n++] = u;
        q = *end == ',' ? end + 1 : end;
    }
    long long epoch = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!uids) return NULL;
    if (!e) {
        if (!(e = calloc(1, sizeof *e))) { free(uids); return NULL; }
        e->conv = conv;
        e->next = cm_table[b];
        cm_table[b] = e;
        cm_convs++;
    } else {
        cm_uids -= e->n;
        free(e->uids);
    }
    e->uids = uids;
    e->n = n;
    e->epoch = epoch;
    cm_uids += n;
    return e;
}

int convmap_deliver(db *d, long long conv, long long epoch, long long skip, long long id, const char *json)
{
    long long now = clock_now_ms();
    if (now - cm_swept_ms > CM_SWEEP_MS) sweep(now);
    size_t b = (size_t)((unsigned long long)conv % CM_BUCKETS);
    cm_entry *e = cm_table[b];
    while (e && e->conv != conv) e = e->next;
    if (!e || e->epoch < epoch) e = reload(d, conv, e, b, now);   /* a change since: read it */
    if (!e || e->epoch != epoch) {                                /* not the list it was sent to */
        hub_saw(id);                                              /* the id exists, though */
        cm_deferred++;
        return 0;
    }
    e->used_ms = now;
    hub_deliver_many(e->uids, e->n, skip, id, json);
    return 1;
}

void convmap_counts(size_t *convs, size_t *uids, unsigned long long *deferred)
{
    *convs = cm_convs;
    *uids = cm_uids;
    *deferred = cm_deferred;
}
