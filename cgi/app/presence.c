/* presence.c — see presence.h. */
#include "presence.h"
#include "module.h"
#include "../store/pgarr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/log.h"
#include "events.h"
#include "people.h"
#include "smallsite.h"

#define PRES_STR_(x) #x
#define PRES_STR(x) PRES_STR_(x)

/* The people who may see $1's presence (and, the relation being symmetric, whose presence
 * $1 may see): contacts and co-members of conversations of at most PRESENCE_MAX_CONV
 * people, with no block either way, both showing presence ($2: except $1, for announcing
 * that $1 just hid theirs); only those in $3 when it is not NULL. Counting stops at
 * PRESENCE_MAX_CONV + 1, so a big channel costs no more than a small group. */
const db_stmt presence_stmts[] = {
    {"pres_watchers",
     "WITH near AS ("
     "  SELECT m2.user_id AS id FROM members m1 JOIN members m2 ON m2.conversation_id = m1.conversation_id "
     "  WHERE m1.user_id = $1 AND m2.user_id <> $1 AND ($3::bigint[] IS NULL OR m2.user_id = ANY ($3::bigint[])) "
     "    AND (SELECT count(*) FROM (SELECT 1 FROM members x WHERE x.conversation_id = m1.conversation_id "
     "                               LIMIT " PRES_STR(PRESENCE_MAX_CONV) " + 1) small) <= " PRES_STR(PRESENCE_MAX_CONV) " "
     "  UNION SELECT contact_id FROM contacts "
     "  WHERE user_id = $1 AND ($3::bigint[] IS NULL OR contact_id = ANY ($3::bigint[]))) "
     "SELECT u.id FROM near JOIN users u ON u.id = near.id JOIN users me ON me.id = $1 "
     "WHERE ($2::boolean OR me.show_presence) AND u.show_presence "
     "  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.user_id = $1 AND b.blocked_id = u.id) "
     "                                          OR (b.user_id = u.id AND b.blocked_id = $1))"},
    {NULL, NULL},
};

/* KEYS: on, act, st, seen, hub set, the person's version. ARGV: op, hub, away ms, ttl ms,
 * uid, how long ago the person was last seen (ms; for a leave, when the last stream ended).
 * Returns {state, last seen ms or "", the new version when the announced state changed, or
 * 0}. The version goes into the event: two processes may publish two changes of one person
 * in either order, and a client keeps the higher version. */
static const char pres_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local op, hub, away, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])\n"
    "if op == 'renew' and not redis.call('ZSCORE', KEYS[1], hub) then op = 'join' end\n"
    "if op == 'join' or op == 'renew' then\n"
    "  redis.call('ZADD', KEYS[1], now + ttl, hub)\n"
    "  redis.call('PEXPIRE', KEYS[1], ttl * 2)\n"
    "  redis.call('SADD', KEYS[5], ARGV[5])\n"
    "  redis.call('PEXPIRE', KEYS[5], ttl * 10)\n"
    "elseif op == 'leave' then\n"
    "  redis.call('ZREM', KEYS[1], hub)\n"
    "  redis.call('SREM', KEYS[5], ARGV[5])\n"
    "end\n"
    "if op == 'join' or op == 'touch' then redis.call('SET', KEYS[2], now, 'PX', away + ttl) end\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
    "local st = 'offline'\n"
    "if redis.call('ZCARD', KEYS[1]) > 0 then\n"
    "  local act = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
    "  if now - act >= away then st = 'away' else st = 'online' end\n"
    "end\n"
    "local seen = redis.call('GET', KEYS[4]) or ''\n"
    "if op == 'read' then return {st, seen, 0} end\n"
    "local old = redis.call('GET', KEYS[3]) or 'offline'\n"
    "if old == st then return {st, seen, 0} end\n"
    "local ver = redis.call('INCR', KEYS[6])\n"
    "if st == 'offline' then\n"
    "  seen = tostring(now - tonumber(ARGV[6]))\n"
    "  redis.call('SET', KEYS[4], seen, 'EX', 31536000)\n"
    "  redis.call('DEL', KEYS[3])\n"
    "else\n"
    "  redis.call('SET', KEYS[3], st)\n"
    "end\n"
    "return {st, seen, ver}\n";

static const char *const op_names[] = {"read", "touch", "join", "renew", "leave"};

/* The script's SHA1, per thread (each worker owns its connection); "" until loaded. */
static _Thread_local char pres_sha[48];

static err_t script_load(kv *k)
{
    redisReply *r;
    err_t e = kv_cmd(k, &r, "SCRIPT LOAD %s", pres_lua);
    if (e) return e;
    if (r->type == REDIS_REPLY_STRING && r->len < sizeof pres_sha) memcpy(pres_sha, r->str, r->len + 1);
    else e = ERR_INTERNAL;
    freeReplyObject(r);
    return e;
}

/* Queues one script call (EVALSHA) for uid. */
static err_t script_append(svc *c, const char *hub, long long uid, presence_op op, long long ago_ms)
{
    char on[40], act[40], st[40], seen[40], hubset[64], ver[40], id[24], away[24], ttl[24], ago[24];
    snprintf(on, sizeof on, "pres:on:%lld", uid);
    snprintf(act, sizeof act, "pres:act:%lld", uid);
    snprintf(st, sizeof st, "pres:st:%lld", uid);
    snprintf(seen, sizeof seen, "pres:seen:%lld", uid);
    snprintf(ver, sizeof ver, "pres:ver:%lld", uid);
    snprintf(hubset, sizeof hubset, "pres:hub:%s", hub ? hub : "-");
    snprintf(id, sizeof id, "%lld", uid);
    snprintf(away, sizeof away, "%ld", c->cfg->presence_away * 1000);
    snprintf(ttl, sizeof ttl, "%ld", c->cfg->presence_ttl * 1000);
    snprintf(ago, sizeof ago, "%lld", ago_ms > 0 ? ago_ms : 0);
    return kv_append(c->kv, "EVALSHA %s 6 %s %s %s %s %s %s %s %s %s %s %s %s", pres_sha, on, act, st, seen, hubset,
                     ver, op_names[op], hub ? hub : "-", away, ttl, id, ago);
}

/* One decoded script answer. */
typedef struct pres_state {
    const char *state;           /* "online", "away", "offline"; NULL when unknown */
    long long seen_ms;           /* 0: never seen */
    long long version;           /* > 0: the state changed; announce it with this version */
} pres_state;

static int script_decode(const redisReply *r, pres_state *out)
{
    memset(out, 0, sizeof *out);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_STRING || r->element[2]->type != REDIS_REPLY_INTEGER)
        return -1;
    const char *s = r->element[0]->str;
    out->state = !strcmp(s, "online") ? "online" : !strcmp(s, "away") ? "away" : "offline";
    out->seen_ms = atoll(r->element[1]->str);
    out->version = r->element[2]->integer;
    return 0;
}

/* Runs the script for uids[0..n) in one pipeline, into out[] (arena). A missing script
 * (Redis restarted or flushed) is loaded and the batch run once more. */
/* script_run on a small site (no Redis, no hub): activity notes the time in PostgreSQL;
 * a person is online when active in the last PARLEY_PRESENCE_AWAY seconds, else offline,
 * last seen then. No state is remembered, so nothing is announced (version 0). */
static err_t small_run(svc *c, const long long *uids, size_t n, presence_op op, pres_state *out)
{
    err_t e = ERR_OK;
    if (op == PRES_TOUCH || op == PRES_JOIN || op == PRES_RENEW)
        for (size_t i = 0; i < n && !e; i++) e = small_active(c, uids[i]);
    long long *at = arena_alloc(c->a, sizeof *at * (n ? n : 1));   /* arena-owned */
    if (!e && !at) e = ERR_INTERNAL;
    if (!e) e = small_activity(c, uids, n, at);
    if (e) return e;
    long long now = (long long)time(NULL) * 1000;
    for (size_t i = 0; i < n; i++) {
        int on = at[i] > 0 && now - at[i] < c->cfg->presence_away * 1000L;
        out[i] = (pres_state){.state = on ? "online" : "offline", .seen_ms = on ? 0 : at[i], .version = 0};
    }
    return ERR_OK;
}

static err_t script_run(svc *c, const char *hub, const long long *uids, size_t n, presence_op op, long long ago_ms,
                        pres_state *out)
{
    if (small_site(c->cfg)) return small_run(c, uids, n, op, out);
    redisReply **rep = arena_alloc(c->a, sizeof *rep * (n ? n : 1));
    if (!rep) return ERR_INTERNAL;
    err_t e = ERR_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!pres_sha[0] || attempt) {
            if ((e = script_load(c->kv))) return e;
        }
        int queued = 0;
        for (size_t i = 0; i < n && !e; i++)
            if (!(e = script_append(c, hub, uids[i], op, ago_ms))) queued++;
        err_t f = queued ? kv_replies(c->kv, queued, rep) : ERR_OK;
        if (!e) e = f;
        for (int i = 0; i < queued; i++)
            if (script_decode(rep[i], &out[i]) && e == ERR_OK) e = ERR_INTERNAL;
        kv_free_replies(queued, rep);
        if (e != ERR_INTERNAL) break;      /* ERR_INTERNAL: an error reply, e.g. NOSCRIPT */
    }
    return e;
}

/* "2026-11-28T02:10:00Z" from Unix milliseconds (arena), or NULL for 0. */
static const char *iso_ms(svc *c, long long ms)
{
    if (ms <= 0) return NULL;
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char s[32];
    if (!gmtime_r(&t, &tm) || !strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm)) return NULL;
    return arena_strdup(c->a, s);
}

static const char *state_seen(svc *c, const pres_state *ps);

static json_t *state_json(svc *c, const pres_state *ps)
{
    return json_pack("{s:s,s:s?}", "state", ps->state, "last_seen", state_seen(c, ps));
}

/* The people of ids[0..n) who may see uid's presence; all of them when ids is NULL. */
static err_t watchers(svc *c, long long uid, int ignore_own_setting, const long long *ids, size_t n,
                      long long **out, size_t *count)
{
    const char *list = NULL;
    if (ids && !(list = pgarr_ids(c->a, ids, n))) return ERR_INTERNAL;
    const char *p[] = {id_str(c, uid), ignore_own_setting ? "true" : "false", list};
    PGresult *r;
    err_t e = db_exec(c->db, "pres_watchers", 3, p, &r);
    if (e) return e;
    size_t k = (size_t)PQntuples(r);
    *out = arena_alloc(c->a, sizeof **out * (k + 1));      /* arena-owned */
    if (!*out) { PQclear(r); return ERR_INTERNAL; }
    for (size_t i = 0; i < k; i++) (*out)[i] = atoll(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    *count = k;
    return ERR_OK;
}

/* The presence event for uid (state or "hidden"), at version, to to[0..n). */
static void publish_to(svc *c, long long uid, const char *state, const char *last_seen, long long version,
                       const long long *to, size_t n)
{
    ev_users(c, to, n, json_pack("{s:s,s:I,s:s,s:s?,s:I}", "type", "presence", "user_id", (json_int_t)uid,
                                 "state", state, "last_seen", last_seen, "version", (json_int_t)version));
}

/* Publishes uid's state (or "hidden"), at version, to the people who may see it. */
static void announce(svc *c, long long uid, const char *state, const char *last_seen, int ignore_own_setting,
                     long long version)
{
    long long *to;
    size_t n;
    svc aside = svc_aside(c);                             /* a failure here is not the caller's */
    err_t e = watchers(&aside, uid, ignore_own_setting, NULL, 0, &to, &n);
    if (e) { log_warn("presence: %s of %lld not announced (database)", state, uid); return; }
    publish_to(c, uid, state, last_seen, version, to, n);
}

static const char *state_seen(svc *c, const pres_state *ps)
{
    return !strcmp(ps->state, "offline") ? iso_ms(c, ps->seen_ms) : NULL;
}

static void announce_state(svc *c, long long uid, const pres_state *ps)
{
    announce(c, uid, ps->state, state_seen(c, ps), 0, ps->version);
}

/* A new version of uid's presence for an announcement that is not a change of state (a
 * setting, a new relation); 0 when Redis failed. */
static long long version_bump(svc *c, long long uid)
{
    if (small_site(c->cfg)) return 0;                    /* never called there: nothing announced */
    redisReply *r;
    if (kv_cmd(c->kv, &r, "INCR pres:ver:%lld", uid)) return 0;
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    return v;
}

/* One operation for one person; announces the change, if any. -1 when Redis failed. */
static int change(svc *c, const char *hub, long long uid, presence_op op, long long ago_ms)
{
    pres_state ps;
    if (script_run(c, hub, &uid, 1, op, ago_ms, &ps)) {
        log_warn("presence: %s for %lld not recorded (redis)", op_names[op], uid);
        return -1;
    }
    if (ps.version > 0) announce_state(c, uid, &ps);
    return 0;
}

void presence_change(svc *c, const char *hub, long long uid, presence_op op)
{
    change(c, hub, uid, op, 0);
}

int presence_leave(svc *c, const char *hub, long long uid, long long ago_ms)
{
    return change(c, hub, uid, PRES_LEAVE, ago_ms);
}

/* Redis's clock in milliseconds (every hub compares times on the same clock); -1 on failure. */
static long long redis_now_ms(svc *c)
{
    redisReply *r;
    if (kv_cmd(c->kv, &r, "TIME")) return -1;
    long long ms = -1;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->str && r->element[1]->str)
        ms = atoll(r->element[0]->str) * 1000 + atoll(r->element[1]->str) / 1000;
    freeReplyObject(r);
    return ms;
}

void presence_renew(svc *c, const char *hub, const long long *uids, size_t n)
{
    redisReply *r;
    long long now = redis_now_ms(c);
    if (now > 0 && kv_cmd(c->kv, &r, "ZADD pres:hubs %lld %s", now, hub) == ERR_OK) freeReplyObject(r);
    enum { BATCH = 512 };
    for (size_t at = 0; at < n; at += BATCH) {
        size_t k = n - at < BATCH ? n - at : BATCH;
        pres_state *ps = arena_alloc(c->a, sizeof *ps * k);
        if (!ps || script_run(c, hub, uids + at, k, PRES_RENEW, 0, ps)) {
            log_warn("presence: %zu people not renewed (redis)", k);
            return;
        }
        for (size_t i = 0; i < k; i++)
            if (ps[i].version > 0) announce_state(c, uids[at + i], &ps[i]);   /* someone turned away */
    }
}

/* Makes the people of hub h, which last renewed at last_ms, leave (as of then). */
static void sweep_one(svc *c, const char *h, long long last_ms, long long now)
{
    char set[64];
    snprintf(set, sizeof set, "pres:hub:%s", h);
    redisReply *m, *r;
    if (kv_cmd(c->kv, &m, "SMEMBERS %s", set)) return;
    size_t n = m->type == REDIS_REPLY_ARRAY ? m->elements : 0;
    log_info("presence: hub %s stopped renewing; %zu people leave with it", h, n);
    for (size_t j = 0; j < n; j++) {
        long long uid = m->element[j]->str ? atoll(m->element[j]->str) : 0;
        if (uid > 0) presence_leave(c, h, uid, now - last_ms);
    }
    freeReplyObject(m);
    if (kv_cmd(c->kv, &r, "DEL %s", set) == ERR_OK) freeReplyObject(r);
}

void presence_sweep(svc *c, const char *hub)
{
    long long now = redis_now_ms(c), cutoff = now - c->cfg->presence_ttl * 1000;
    redisReply *dead;
    if (now < 0 || kv_cmd(c->kv, &dead, "ZRANGEBYSCORE pres:hubs -inf (%lld WITHSCORES LIMIT 0 64", cutoff)) return;
    for (size_t i = 0; dead->type == REDIS_REPLY_ARRAY && i + 1 < dead->elements; i += 2) {
        const char *h = dead->element[i]->str;
        long long last = dead->element[i + 1]->str ? atoll(dead->element[i + 1]->str) : 0;
        if (!h || !strcmp(h, hub)) continue;               /* our own renewal is late: not dead */
        redisReply *r;
        if (strlen(h) > 40) {                              /* not a hub id: drop it */
            if (kv_cmd(c->kv, &r, "ZREM pres:hubs %s", h) == ERR_OK) freeReplyObject(r);
            continue;
        }
        char lock[64];
        snprintf(lock, sizeof lock, "pres:sweep:%s", h);
        if (kv_cmd(c->kv, &r, "SET %s %s NX EX 60", lock, hub)) continue;
        int mine = r->type == REDIS_REPLY_STATUS;          /* one hub sweeps each dead one */
        freeReplyObject(r);
        if (!mine) continue;
        /* It may have renewed since the list was read: then it is alive after all. */
        long long score = -1;
        if (kv_cmd(c->kv, &r, "ZSCORE pres:hubs %s", h) == ERR_OK) {
            if (r->type == REDIS_REPLY_STRING) score = atoll(r->str);
            freeReplyObject(r);
        }
        if (score >= cutoff) {
            if (kv_cmd(c->kv, &r, "DEL %s", lock) == ERR_OK) freeReplyObject(r);
            continue;
        }
        sweep_one(c, h, last, now);
        if (kv_cmd(c->kv, &r, "ZREM pres:hubs %s", h) == ERR_OK) freeReplyObject(r);
    }
    freeReplyObject(dead);
}

void presence_setting_changed(svc *c)
{
    if (small_site(c->cfg)) return;                      /* no presence events on a small site */
    long long uid = c->user->id, version = version_bump(c, uid);
    if (!version) { log_warn("presence: setting of %lld not announced (redis)", uid); return; }
    if (!c->user->show_presence) { announce(c, uid, "hidden", NULL, 1, version); return; }
    pres_state ps;
    if (script_run(c, NULL, &uid, 1, PRES_READ, 0, &ps)) return;
    ps.version = version;
    announce_state(c, uid, &ps);
}

void presence_pair_changed(svc *c, long long a, long long b)
{
    if (small_site(c->cfg)) return;                      /* no presence events on a small site */
    const long long who[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        long long subject = who[k], viewer = who[1 - k], *may;
        size_t n = 0;
        svc aside = svc_aside(c);
        err_t e = watchers(&aside, subject, 0, &viewer, 1, &may, &n);
        long long version = e ? 0 : version_bump(c, subject);
        if (!version) { log_warn("presence: %lld not told about %lld (backend)", viewer, subject); continue; }
        pres_state ps;
        if (!n) publish_to(c, subject, "hidden", NULL, version, &viewer, 1);
        else if (script_run(c, NULL, &subject, 1, PRES_READ, 0, &ps) == ERR_OK)
            publish_to(c, subject, ps.state, state_seen(c, &ps), version, &viewer, 1);
    }
}

void presence_attach(svc *c, json_t *users)
{
    size_t n = json_array_size(users), k = 0, nv = 0;
    if (!n || !c->user) return;
    long long *ids = arena_alloc(c->a, sizeof *ids * n), *visible = NULL;
    json_t *u;
    size_t i;
    json_array_foreach(users, i, u) {
        json_object_set_new(u, "presence", json_null());
        long long id = json_integer_value(json_object_get(u, "id"));
        if (ids && id > 0 && id != c->user->id) ids[k++] = id;
    }
    svc aside = svc_aside(c);
    err_t e = ids ? watchers(&aside, c->user->id, 0, ids, k, &visible, &nv) : ERR_INTERNAL;
    if (e) { log_warn("presence: not shown (database)"); return; }
    visible[nv++] = c->user->id;                           /* room for one more: see watchers */
    pres_state *ps = arena_alloc(c->a, sizeof *ps * nv);
    if (!ps || script_run(c, NULL, visible, nv, PRES_READ, 0, ps)) { log_warn("presence: not shown (redis)"); return; }
    json_array_foreach(users, i, u) {
        long long id = json_integer_value(json_object_get(u, "id"));
        for (size_t j = 0; j < nv; j++)
            if (visible[j] == id) { json_object_set_new(u, "presence", state_json(c, &ps[j])); break; }
    }
}

static err_t h_presence(ctx *c)
{
    json_t *users = json_array(), *id, *u;                 /* ?ids= is declared: 1–100 ids */
    size_t i;
    json_array_foreach(json_object_get(c->q, "ids"), i, id) json_array_append_new(users, json_pack("{s:O}", "id", id));
    presence_attach(&c->svc, users);
    json_t *map = json_object();
    json_array_foreach(users, i, u) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(u, "id")));
        json_object_set(map, key, json_object_get(u, "presence"));
    }
    json_decref(users);
    c->out = json_pack("{s:o}", "presence", map);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_presence_active(ctx *c)
{
    presence_change(&c->svc, NULL, c->svc.user->id, PRES_TOUCH);
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/";
    return ERR_OK;
}

/* ---- routes (module.h) ---- */

static const field_spec q_presence[] = {{"ids", "ids", FV_IDS, 1, 1, PRESENCE_MAX_IDS}, {NULL, NULL, 0, 0, 0, 0}};

static const route presence_routes[] = {
    {"GET", "/presence", h_presence, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, q_presence},
    {"POST", "/presence/active", h_presence_active, R_AUTH, NULL, NULL, NULL, NULL},
};
const module presence_module = {"presence", MODULE_ROUTES(presence_routes), presence_stmts};

int presence_here(svc *c, long long uid)
{
    pres_state ps;
    if (script_run(c, NULL, &uid, 1, PRES_READ, 0, &ps) || !ps.state) return -1;
    return !strcmp(ps.state, "online") || !strcmp(ps.state, "away");
}

int presence_online(svc *c, long long uid)
{
    pres_state ps;
    if (script_run(c, NULL, &uid, 1, PRES_READ, 0, &ps) || !ps.state) return -1;
    return !strcmp(ps.state, "online");
}

void presence_states(svc *c, const long long *uids, size_t n, const char **states)
{
    for (size_t i = 0; i < n; i++) states[i] = NULL;
    pres_state *ps = n ? arena_alloc(c->a, sizeof *ps * n) : NULL;   /* arena-owned */
    if (!ps || script_run(c, NULL, uids, n, PRES_READ, 0, ps)) return;
    for (size_t i = 0; i < n; i++) states[i] = ps[i].state;
}
