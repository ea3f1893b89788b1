/* follow.c — see follow.h. The seen ids are an open-addressed hash set (linear probing,
 * 0 = empty), rebuilt without the settled ones each round. */
#include "follow.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen_slot {
    long long id, at_ms;
} seen_slot;

typedef struct pend {
    long long id, since_ms;      /* first noticed missing or unseen */
} pend;

static pthread_mutex_t follow_lock = PTHREAD_MUTEX_INITIALIZER;
static long long follow_done;    /* every id <= this is settled */
static long long follow_hi;      /* the highest id read from the log (or start) */
static seen_slot *seen;          /* capacity seen_cap (a power of two), seen_n used */
static size_t seen_cap, seen_n;
static pend *pending;            /* unsettled ids <= follow_hi, ascending */
static size_t pend_n, pend_cap;
static long long arrivals[FOLLOW_ARRIVALS];    /* a ring: arrival k is at k % FOLLOW_ARRIVALS */
static unsigned long long arrived;             /* arrivals noted since start */
/* Where each id of the ring arrived: an open-addressed map (linear probing, 0 = empty) at
 * most half full, so a place is one lookup, not a walk of the ring. */
enum { ARR_MAP = FOLLOW_ARRIVALS * 2 };
static struct arr_slot {
    long long id;
    unsigned long long at;
} arr_map[ARR_MAP];

static size_t slot_of(long long id, size_t cap) { return (size_t)((unsigned long long)id * 0x9E3779B97F4A7C15ULL >> 20) & (cap - 1); }

/* Inserts into a table of capacity cap (which has room). */
static void seen_put(seen_slot *t, size_t cap, long long id, long long at)
{
    size_t i = slot_of(id, cap);
    while (t[i].id && t[i].id != id) i = (i + 1) & (cap - 1);
    if (!t[i].id) seen_n++;
    t[i] = (seen_slot){id, at};
}

static int seen_has(long long id)
{
    if (!seen_cap) return 0;
    size_t i = slot_of(id, seen_cap);
    while (seen[i].id) {
        if (seen[i].id == id) return 1;
        i = (i + 1) & (seen_cap - 1);
    }
    return 0;
}

/* Rebuilds the set into capacity cap, keeping ids above done seen within FOLLOW_SEEN_MS. */
static void seen_rebuild(size_t cap, long long now_ms)
{
    seen_slot *t = calloc(cap, sizeof *t);
    if (!t) return;                                  /* keeps the old one; tried again later */
    seen_slot *old = seen;
    size_t old_cap = seen_cap;
    seen_n = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].id > follow_done && now_ms - old[i].at_ms < FOLLOW_SEEN_MS) seen_put(t, cap, old[i].id, old[i].at_ms);
    free(old);
    seen = t;
    seen_cap = cap;
}

void follow_init(long long start)
{
    pthread_mutex_lock(&follow_lock);
    follow_done = follow_hi = start;
    pthread_mutex_unlock(&follow_lock);
}

void follow_seen(long long id, long long now_ms)
{
    pthread_mutex_lock(&follow_lock);
    if (id > follow_done) {
        if ((seen_n + 1) * 4 > seen_cap * 3) seen_rebuild(seen_cap ? seen_cap * 2 : 4096, now_ms);
        if ((seen_n + 1) * 4 <= seen_cap * 3) seen_put(seen, seen_cap, id, now_ms);
    }
    pthread_mutex_unlock(&follow_lock);
}

long long follow_plan(long long **ids, size_t *n)
{
    pthread_mutex_lock(&follow_lock);
    *n = 0;
    *ids = malloc(sizeof **ids * (pend_n + 1));
    for (size_t i = 0; *ids && i < pend_n; i++) (*ids)[(*n)++] = pending[i].id;
    long long hi = follow_hi;
    pthread_mutex_unlock(&follow_lock);
    return hi;
}

static int pend_add(pend **v, size_t *n, size_t *cap, pend p)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        pend *w = realloc(*v, c * sizeof *w);
        if (!w) return -1;
        *v = w;
        *cap = c;
    }
    (*v)[(*n)++] = p;
    return 0;
}

/* 1 when id is among rows[0..n) (ascending), with its age in *age. */
static int row_find(const follow_row *rows, size_t n, long long id, long long *age)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rows[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    if (lo < n && rows[lo].id == id) { *age = rows[lo].age_ms; return 1; }
    return 0;
}

void follow_round(long long hi, const follow_row *fresh, size_t nfresh, const follow_row *again, size_t nagain,
                  long long now_ms, long long **repair, size_t *nrepair)
{
    pthread_mutex_lock(&follow_lock);
    *nrepair = 0;
    *repair = malloc(sizeof **repair * (pend_n + nfresh + 1));
    pend *next = NULL;                               /* the new pending list, ascending */
    size_t next_n = 0, next_cap = 0;
    /* One id's fate: settled (seen, or delivered now), or waited for again. */
#define FOLLOW_CONSIDER(ID, FOUND, AGE, SINCE)                                                        \
    do {                                                                                             \
        if (seen_has(ID)) break;                                                                     \
        if ((FOUND) && (AGE) >= FOLLOW_REPAIR_MS) {                                                  \
            if (*repair) (*repair)[(*nrepair)++] = (ID);                                             \
            break;                                                                                   \
        }                                                                                            \
        if (!(FOUND) && now_ms - (SINCE) >= FOLLOW_GAP_MS) break;     /* never committed */          \
        pend_add(&next, &next_n, &next_cap, (pend){(ID), (SINCE)});                                  \
    } while (0)
    if (hi == follow_hi) {                           /* else init moved it meanwhile: skip a round */
        for (size_t i = 0; i < pend_n; i++) {
            long long age = 0;
            int found = row_find(again, nagain, pending[i].id, &age);
            FOLLOW_CONSIDER(pending[i].id, found, age, pending[i].since_ms);
        }
        long long top = nfresh ? fresh[nfresh - 1].id : hi;
        int track_gaps = top - hi - (long long)nfresh <= FOLLOW_MAX_GAPS;
        size_t k = 0;
        for (long long id = hi + 1; id <= top; ) {
            if (k < nfresh && fresh[k].id == id) {
                FOLLOW_CONSIDER(id, 1, fresh[k].age_ms, now_ms);
                k++;
                id++;
            } else if (track_gaps) {
                FOLLOW_CONSIDER(id, 0, 0, now_ms);
                id++;
            } else {
                id = k < nfresh ? fresh[k].id : top + 1;        /* a jump of the sequence: not tracked */
            }
        }
        follow_hi = top;
    }
#undef FOLLOW_CONSIDER
    free(pending);
    pending = next;
    pend_n = next_n;
    pend_cap = next_cap;
    long long done = pend_n ? pending[0].id - 1 : follow_hi;
    if (done > follow_done) follow_done = done;
    if (seen_cap) seen_rebuild(seen_n * 4 < seen_cap && seen_cap > 4096 ? seen_cap / 2 : seen_cap, now_ms);
    pthread_mutex_unlock(&follow_lock);
}

static size_t arr_home(long long id) { return slot_of(id, ARR_MAP); }

/* The slot of id in the map, or the empty one that ends its run (follow_lock held). */
static size_t arr_find(long long id)
{
    size_t i = arr_home(id);
    while (arr_map[i].id && arr_map[i].id != id) i = (i + 1) & (ARR_MAP - 1);
    return i;
}

/* The arrival number of id, or -1 (follow_lock held). */
static long long arr_get(long long id)
{
    size_t i = arr_find(id);
    return arr_map[i].id ? (long long)arr_map[i].at : -1;
}

/* Removes id (follow_lock held): the entries after it in its run move back, so that no
 * lookup stops at the hole before reaching them. */
static void arr_del(long long id)
{
    size_t i = arr_find(id);
    if (!arr_map[i].id) return;
    for (size_t j = i;;) {
        j = (j + 1) & (ARR_MAP - 1);
        if (!arr_map[j].id) break;
        size_t k = arr_home(arr_map[j].id);
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;   /* its home is after the hole */
        arr_map[i] = arr_map[j];
        i = j;
    }
    arr_map[i].id = 0;
}

void follow_arrived(long long id)
{
    pthread_mutex_lock(&follow_lock);
    if (id > 0 && arr_get(id) < 0) {                                    /* a first arrival */
        if (arrived >= FOLLOW_ARRIVALS) arr_del(arrivals[arrived % FOLLOW_ARRIVALS]);   /* the oldest leaves */
        arr_map[arr_find(id)] = (struct arr_slot){id, arrived};         /* found again: the removal moved entries */
        arrivals[arrived++ % FOLLOW_ARRIVALS] = id;
    }
    pthread_mutex_unlock(&follow_lock);
}

static int id_cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int follow_late(long long last, long long **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    size_t cap = 0;
    pthread_mutex_lock(&follow_lock);
    long long p = arr_get(last);
    int bad = p < 0;
    for (unsigned long long k = (unsigned long long)p + 1; !bad && k < arrived; k++) {   /* those after it */
        long long id = arrivals[k % FOLLOW_ARRIVALS];
        if (id >= last) continue;
        if (*n == cap) {
            long long *v = realloc(*ids, sizeof *v * (cap = cap ? cap * 2 : 16));
            if (!v) { bad = 1; break; }
            *ids = v;
        }
        (*ids)[(*n)++] = id;
    }
    pthread_mutex_unlock(&follow_lock);
    if (bad) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return -1;
    }
    if (*n) qsort(*ids, *n, sizeof **ids, id_cmp);
    return 0;
}

void follow_places(const long long *ids, size_t n, long long *place)
{
    pthread_mutex_lock(&follow_lock);
    for (size_t k = 0; k < n; k++) place[k] = ids[k] > 0 ? arr_get(ids[k]) : -1;
    pthread_mutex_unlock(&follow_lock);
}

long long follow_newest(void)
{
    pthread_mutex_lock(&follow_lock);
    long long id = arrived ? arrivals[(arrived - 1) % FOLLOW_ARRIVALS] : -1;
    pthread_mutex_unlock(&follow_lock);
    return id;
}

void follow_counts(long long *done, size_t *npending, size_t *nseen)
{
    pthread_mutex_lock(&follow_lock);
    *done = follow_done;
    *npending = pend_n;
    *nseen = seen_n;
    pthread_mutex_unlock(&follow_lock);
}
