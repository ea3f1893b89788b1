/* sesscache.c — see sesscache.h. One mutex guards the table, the generation and the live
 * flag: every critical section is a lookup or a copy of one slot (or, rarely, a sweep). */
#include "sesscache.h"
#include <pthread.h>
#include <string.h>
#include <time.h>
#include "../core/log.h"
#include "../core/num.h"
#include "../store/kvsub.h"
#include "../core/clock.h"

typedef struct slot {
    sess s;                  /* s.id[0] == 0: empty */
    long long seen;          /* unix seconds */
    long long until_ms;      /* monotonic: used before this only */
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot slots[SESSCACHE_SLOTS];
static unsigned long long gen = 1;   /* moves on every drop: a ticket older than it keeps nothing */
static int live;                     /* the subscription stands */

/* The slot of a session id (64 hex digits of a SHA-256: any 8 of them are uniform). */
static slot *slot_of(const char *id)
{
    unsigned h = 0;
    for (int i = 0; i < 8; i++) h = h * 16 + (unsigned)(id[i] <= '9' ? id[i] - '0' : (id[i] | 0x20) - 'a' + 10);
    return &slots[h % SESSCACHE_SLOTS];
}

static int id_ok(const char *id) { return strlen(id) == SECRET_HEX && strspn(id, "0123456789abcdef") == SECRET_HEX; }

/* The monotonic time at which a copy read at now_ms, of a session Redis drops at unix time
 * expires, stops being used. */
static long long until_of(long long now_ms, long long expires)
{
    long long left_ms = (expires - (long long)time(NULL) - 1) * 1000;   /* a second early */
    return now_ms + (left_ms < SESSCACHE_MS ? left_ms : SESSCACHE_MS);
}

int sesscache_get(const char *id, sess *out, long long *seen, unsigned long long *ticket)
{
    *ticket = 0;
    if (!id_ok(id)) return 0;
    int hit = 0;
    long long now = clock_now_ms();
    pthread_mutex_lock(&lock);
    slot *sl = slot_of(id);
    if (live && !strcmp(sl->s.id, id) && now < sl->until_ms) {
        *out = sl->s;
        *seen = sl->seen;
        hit = 1;
    } else if (live) {
        *ticket = gen;
    }
    pthread_mutex_unlock(&lock);
    return hit;
}

void sesscache_put(unsigned long long ticket, const sess *s, long long seen, long long expires)
{
    if (!ticket || !id_ok(s->id) || !s->ver.known) return;
    long long until = until_of(clock_now_ms(), expires);
    pthread_mutex_lock(&lock);
    if (live && ticket == gen) {
        slot *sl = slot_of(s->id);
        sl->s = *s;
        sl->seen = seen;
        sl->until_ms = until;
    }
    pthread_mutex_unlock(&lock);
}

void sesscache_touched(const char *id, long long seen, long long expires)
{
    if (!id_ok(id)) return;
    long long now = clock_now_ms();
    pthread_mutex_lock(&lock);
    slot *sl = slot_of(id);
    if (!strcmp(sl->s.id, id)) {
        sl->seen = seen;
        long long until = until_of(now, expires);
        if (until < sl->until_ms) sl->until_ms = until;   /* never longer than first kept */
    }
    pthread_mutex_unlock(&lock);
}

/* Under lock: empties every slot. */
static void clear_all(void) { memset(slots, 0, sizeof slots); }

void sesscache_forget_session(const char *id)
{
    if (!id_ok(id)) return;
    pthread_mutex_lock(&lock);
    gen++;
    slot *sl = slot_of(id);
    if (!strcmp(sl->s.id, id)) memset(sl, 0, sizeof *sl);
    pthread_mutex_unlock(&lock);
}

void sesscache_forget_user(long long uid)
{
    pthread_mutex_lock(&lock);
    gen++;
    if (!uid) clear_all();
    else
        for (size_t i = 0; i < SESSCACHE_SLOTS; i++)
            if (slots[i].s.id[0] && slots[i].s.uid == uid) memset(&slots[i], 0, sizeof slots[i]);
    pthread_mutex_unlock(&lock);
}

void sesscache_set_live(int on)
{
    pthread_mutex_lock(&lock);
    gen++;
    live = on;
    clear_all();
    pthread_mutex_unlock(&lock);
}

/* One message: ["message", channel, payload]; confirmations and pongs are not. */
static void handle(const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING ||
        strcmp(r->element[0]->str, "message") || r->element[2]->type != REDIS_REPLY_STRING)
        return;
    const char *ch = r->element[1]->str, *p = r->element[2]->str;
    if (!strcmp(ch, "parley:ended")) {
        if (!strncmp(p, "s:", 2)) sesscache_forget_session(p + 2);   /* "t:…": tokens are not kept */
    } else if (!strcmp(ch, "parley:ugen")) {
        long long uid;
        if (num_parse(p, strlen(p), &uid) == 0) sesscache_forget_user(uid);
        else sesscache_forget_user(0);                     /* unreadable: drop all, to be safe */
    }
}

static void sub_up(void *arg, int again)
{
    (void)arg;
    sesscache_set_live(1);
    if (again) log_info("sessions: Redis is back; sessions are kept again");
}

static void sub_message(redisReply *m, void *arg) { (void)arg; handle(m); }

static void sub_lost(void *arg, const char *why)
{
    (void)arg;
    sesscache_set_live(0);
    log_warn("sessions: lost Redis (%s); nothing kept until it is back", why);
}

static void *sub_main(void *arg)
{
    const config *cfg = arg;
    static const kvsub_calls calls = {sub_up, sub_message, sub_lost};
    kvsub_run(cfg->redis, cfg->backend_timeout_ms, "SUBSCRIBE parley:ended parley:ugen", &calls, NULL);
    return NULL;
}

int sesscache_start(const config *cfg)
{
    pthread_t t;
    if (pthread_create(&t, NULL, sub_main, (void *)cfg)) return -1;
    pthread_detach(t);
    return 0;
}
