/* sessions.c — see sessions.h. */
#include "sessions.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "events.h"
#include "sesscache.h"
#include "smallsite.h"

enum { SESS_SEEN_EVERY = 60 };   /* refresh "last seen" at most once a minute */

/* KEYS[1] the session; ARGV: now, ip, ttl. Touches it only if it still has its uid. */
static const char sess_touch_lua[] =
    "if redis.call('HEXISTS', KEYS[1], 'uid') == 1 then "
    "redis.call('HSET', KEYS[1], 'seen', ARGV[1], 'ip', ARGV[2]) redis.call('EXPIRE', KEYS[1], ARGV[3]) end "
    "return 0";

/* KEYS[1] the session: its uid, csrf and seen, then the versions of that user's row and of
 * every user row (users_changed), in the same round trip. */
static const char sess_get_lua[] =
    "local h = redis.call('HMGET', KEYS[1], 'uid', 'csrf', 'seen') "
    "if h[1] then h[4] = redis.call('GET', 'parley:ugen:' .. h[1]) h[5] = redis.call('GET', 'parley:ugen') end "
    "return h";

err_t sess_create(svc *c, long long uid, const char *ip, const char *ua, char token[SECRET_LEN + 1], sess *out)
{
    secret_new(token);
    secret_hash(token, out->id);
    secret_new(out->csrf);
    out->uid = uid;
    char key[80], ukey[40], uids[24], now[24];
    snprintf(key, sizeof key, "sess:%s", out->id);
    snprintf(ukey, sizeof ukey, "usess:%lld", uid);
    snprintf(uids, sizeof uids, "%lld", uid);
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    if (!ua) ua = "";
    if (strlen(ua) > 512) ua = arena_strndup(c->a, ua, 512);
    if (small_site(c->cfg)) return small_sess_create(c, out->id, uid, out->csrf, ip, ua);
    err_t e = kv_append(c->kv, "HSET %s uid %s csrf %s ip %s ua %s created %s seen %s", key, uids,
                        out->csrf, ip, ua ? ua : "", now, now);
    if (!e) e = kv_append(c->kv, "EXPIRE %s %ld", key, c->cfg->session_ttl);
    if (!e) e = kv_append(c->kv, "SADD %s %s", ukey, out->id);
    if (!e) e = kv_append(c->kv, "EXPIRE %s %ld", ukey, c->cfg->session_ttl);
    if (e) { kv_close(c->kv); return e; }
    redisReply *r[4];
    e = kv_replies(c->kv, 4, r);
    kv_free_replies(4, r);
    return e;
}

/* Sliding expiry and "last seen" of session s, refreshed at most once a minute per session. */
static err_t sess_touch(svc *c, const sess *s, long long now, const char *ip)
{
    char key[80], nows[24], ukey[40];
    snprintf(key, sizeof key, "sess:%s", s->id);
    snprintf(nows, sizeof nows, "%lld", now);
    snprintf(ukey, sizeof ukey, "usess:%lld", s->uid);
    /* Only while it still exists: a session revoked since it was read must not come back
     * as a hash without uid (which would look alive to a hub's re-check). */
    err_t e = kv_append(c->kv, "EVAL %s 1 %s %s %s %ld", sess_touch_lua, key, nows, ip, c->cfg->session_ttl);
    if (!e) e = kv_append(c->kv, "EXPIRE %s %ld", ukey, c->cfg->session_ttl);
    if (e) { kv_close(c->kv); return e; }
    redisReply *w[2];
    e = kv_replies(c->kv, 2, w);
    kv_free_replies(2, w);
    if (!e) sesscache_touched(s->id, now, now + c->cfg->session_ttl);
    return e;
}

err_t sess_lookup(svc *c, const char *token, const char *ip, sess *out)
{
    if (!secret_shape_ok(token, "")) return ERR_UNAUTHORIZED;
    secret_hash(token, out->id);
    out->ver.known = 0;                  /* a small site has no versions: no cache */
    if (small_site(c->cfg)) {
        long long seen;
        err_t e = small_sess_get(c, out->id, &out->uid, out->csrf, sizeof out->csrf, &seen);
        if (e) return e;
        return time(NULL) - seen >= SESS_SEEN_EVERY ? small_sess_touch(c, out->id, ip) : ERR_OK;
    }
    long long now = (long long)time(NULL), seen = 0;
    unsigned long long ticket;                           /* taken before the read: see sesscache.h */
    if (sesscache_get(out->id, out, &seen, &ticket)) return now - seen >= SESS_SEEN_EVERY ? sess_touch(c, out, now, ip) : ERR_OK;
    char key[80];
    snprintf(key, sizeof key, "sess:%s", out->id);
    redisReply *h;
    err_t e = kv_cmd(c->kv, &h, "EVAL %s 1 %s", sess_get_lua, key);
    if (e) return e;
    int found = h->type == REDIS_REPLY_ARRAY && h->elements >= 3 &&
                h->element[0]->type == REDIS_REPLY_STRING && h->element[1]->type == REDIS_REPLY_STRING;
    if (found) {
        out->uid = atoll(h->element[0]->str);
        snprintf(out->csrf, sizeof out->csrf, "%s", h->element[1]->str);
        if (h->element[2]->type == REDIS_REPLY_STRING) seen = atoll(h->element[2]->str);
        out->ver.known = h->elements == 5;
        for (size_t i = 3; out->ver.known && i < 5; i++)      /* nil: never changed, version 0 */
            out->ver.v[i - 3] = h->element[i]->type == REDIS_REPLY_STRING ? atoll(h->element[i]->str) : 0;
    }
    freeReplyObject(h);
    if (!found) return ERR_UNAUTHORIZED;
    sesscache_put(ticket, out, seen, seen + c->cfg->session_ttl);
    return now - seen >= SESS_SEEN_EVERY ? sess_touch(c, out, now, ip) : ERR_OK;
}

err_t sess_alive(svc *c, const char *const *ids, size_t n, int *alive)
{
    err_t e = ERR_OK;
    if (small_site(c->cfg)) {
        for (size_t i = 0; i < n && !e; i++) e = small_sess_alive(c, ids[i], &alive[i]);
        return e;
    }
    for (size_t at = 0; at < n && !e; at += 512) {       /* pipelined, in batches */
        size_t m = n - at < 512 ? n - at : 512;
        for (size_t i = 0; i < m && !e; i++) e = kv_append(c->kv, "HEXISTS sess:%s uid", ids[at + i]);
        if (e) { kv_close(c->kv); return e; }
        redisReply *r[512];
        e = kv_replies(c->kv, (int)m, r);
        for (size_t i = 0; !e && i < m; i++) alive[at + i] = r[i]->type == REDIS_REPLY_INTEGER && r[i]->integer == 1;
        kv_free_replies((int)m, r);
    }
    return e;
}

const char *sess_browser(arena *a, const char *ua)
{
    if (!ua || !*ua) return "Unknown";
    static const struct { const char *needle, *name; } browsers[] = {
        {"Edg/", "Edge"}, {"CriOS/", "Chrome"}, {"FxiOS/", "Firefox"}, {"EdgiOS/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chromium/", "Chromium"},
        {"HeadlessChrome/", "Headless Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
        {"curl/", "curl"}, {"Wget/", "Wget"}, {"python", "Python"}, {"node", "Node.js"},
    };
    static const struct { const char *needle, *name; } systems[] = {
        {"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
        {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
    };
    const char *b = NULL, *s = NULL;
    for (size_t i = 0; i < sizeof browsers / sizeof browsers[0] && !b; i++)
        if (strstr(ua, browsers[i].needle)) b = browsers[i].name;
    for (size_t i = 0; i < sizeof systems / sizeof systems[0] && !s; i++)
        if (strstr(ua, systems[i].needle)) s = systems[i].name;
    if (!b) {
        size_t n = strcspn(ua, "/ ");
        return n == 0 ? "Unknown" : arena_strndup(a, ua, n > 40 ? 40 : n);
    }
    return s ? arena_printf(a, "%s on %s", b, s) : b;
}

static const char *iso_time(arena *a, const char *unix_secs)
{
    time_t t = (time_t)atoll(unix_secs);
    struct tm tm;
    char out[32];
    gmtime_r(&t, &tm);
    strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(a, out);
}

static int by_created_desc(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    return strcmp(json_string_value(json_object_get(b, "created_at")),
                  json_string_value(json_object_get(a, "created_at")));
}

/* sess_list in the small-site store: the same objects, from small_sessions. */
static err_t sess_list_small(svc *c, long long uid, const char *current_id, json_t **out)
{
    PGresult *r;
    err_t e = small_sess_list(c, uid, &r);
    if (e) return e;
    size_t n = (size_t)PQntuples(r);
    json_t **items = arena_alloc(c->a, (n ? n : 1) * sizeof *items);
    if (!items) { PQclear(r); return ERR_INTERNAL; }
    for (size_t i = 0; i < n; i++) {
        const char *id = PQgetvalue(r, (int)i, 0);
        items[i] = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", id,
                             "browser", sess_browser(c->a, PQgetvalue(r, (int)i, 4)), "ip", PQgetvalue(r, (int)i, 3),
                             "created_at", iso_time(c->a, PQgetvalue(r, (int)i, 1)),
                             "last_seen", iso_time(c->a, PQgetvalue(r, (int)i, 2)),
                             "current", current_id && !strcmp(current_id, id));
    }
    PQclear(r);
    qsort(items, n, sizeof *items, by_created_desc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) if (items[i]) json_array_append_new(arr, items[i]);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

err_t sess_list(svc *c, long long uid, const char *current_id, json_t **out)
{
    *out = NULL;
    if (small_site(c->cfg)) return sess_list_small(c, uid, current_id, out);
    redisReply *m;
    err_t e = kv_cmd(c->kv, &m, "SMEMBERS usess:%lld", uid);
    if (e) return e;
    size_t n = m->type == REDIS_REPLY_ARRAY ? m->elements : 0;
    for (size_t i = 0; i < n; i++)
        if ((e = kv_append(c->kv, "HMGET sess:%s created seen ip ua", m->element[i]->str))) {
            kv_close(c->kv);
            freeReplyObject(m);
            return e;
        }
    redisReply **r = arena_alloc(c->a, (n ? n : 1) * sizeof *r);
    json_t **items = arena_alloc(c->a, (n ? n : 1) * sizeof *items);
    if (!r || !items) { freeReplyObject(m); kv_close(c->kv); return ERR_INTERNAL; }
    e = kv_replies(c->kv, (int)n, r);
    size_t k = 0;
    for (size_t i = 0; !e && i < n; i++) {
        redisReply *h = r[i];
        const char *id = m->element[i]->str;
        if (h->type != REDIS_REPLY_ARRAY || h->elements != 4 || h->element[0]->type != REDIS_REPLY_STRING) {
            redisReply *gone;                   /* expired: forget it */
            if (!kv_cmd(c->kv, &gone, "SREM usess:%lld %s", uid, id)) freeReplyObject(gone);
            continue;
        }
        const char *seen = h->element[1]->type == REDIS_REPLY_STRING ? h->element[1]->str : h->element[0]->str;
        const char *ip = h->element[2]->type == REDIS_REPLY_STRING ? h->element[2]->str : "";
        const char *ua = h->element[3]->type == REDIS_REPLY_STRING ? h->element[3]->str : "";
        items[k++] = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", id,
                               "browser", sess_browser(c->a, ua), "ip", ip,
                               "created_at", iso_time(c->a, h->element[0]->str),
                               "last_seen", iso_time(c->a, seen),
                               "current", current_id && !strcmp(current_id, id));
    }
    kv_free_replies((int)n, r);
    freeReplyObject(m);
    json_t *arr = json_array();
    qsort(items, k, sizeof *items, by_created_desc);
    for (size_t i = 0; i < k; i++) if (items[i]) json_array_append_new(arr, items[i]);
    if (e) { json_decref(arr); return e; }
    *out = arr;
    return ERR_OK;
}

err_t sess_revoke(svc *c, long long uid, const char *id)
{
    if (strlen(id) != SECRET_HEX || strspn(id, "0123456789abcdef") != SECRET_HEX) return ERR_NOT_FOUND;
    if (small_site(c->cfg)) {
        int existed;
        err_t e = small_sess_delete(c, uid, id, &existed);
        if (e) return e;
        return existed ? ERR_OK : ERR_NOT_FOUND;        /* no streams to end: no hub here */
    }
    redisReply *r;
    err_t e = kv_cmd(c->kv, &r, "SREM usess:%lld %s", uid, id);
    if (e) return e;
    int was_member = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    if (!was_member) return ERR_NOT_FOUND;
    e = kv_cmd(c->kv, &r, "DEL sess:%s", id);
    if (e) return e;
    freeReplyObject(r);
    sesscache_forget_session(id);                        /* this process at once; the others hear it */
    const char *cred = arena_printf(c->a, "s:%s", id);
    if (cred) ev_creds_ended(c, &cred, 1);               /* its open streams end too */
    return ERR_OK;
}

err_t sess_revoke_all(svc *c, long long uid, const char *except_id, size_t *ended)
{
    *ended = 0;
    if (small_site(c->cfg)) {
        PGresult *r;
        err_t e = small_sess_delete_all(c, uid, except_id, &r);
        if (e) return e;
        for (int i = 0; i < PQntuples(r); i++) *ended += !strcmp(PQgetvalue(r, i, 1), "t");
        PQclear(r);
        return ERR_OK;
    }
    redisReply *m;
    err_t e = kv_cmd(c->kv, &m, "SMEMBERS usess:%lld", uid);
    if (e) return e;
    size_t n = m->type == REDIS_REPLY_ARRAY ? m->elements : 0, k = 0;
    const char **creds = arena_alloc(c->a, sizeof *creds * (n ? n : 1));   /* arena-owned */
    for (size_t i = 0; creds && i < n; i++) {
        const char *id = m->element[i]->str;
        if (except_id && !strcmp(id, except_id)) continue;
        redisReply *r;
        if ((e = kv_cmd(c->kv, &r, "DEL sess:%s", id))) break;
        int existed = r->type == REDIS_REPLY_INTEGER && r->integer == 1;   /* not merely expired */
        freeReplyObject(r);
        sesscache_forget_session(id);
        if ((e = kv_cmd(c->kv, &r, "SREM usess:%lld %s", uid, id))) break;
        freeReplyObject(r);
        creds[k++] = arena_printf(c->a, "s:%s", id);
        if (existed) (*ended)++;
    }
    freeReplyObject(m);
    if (!creds) return ERR_INTERNAL;
    if (k) ev_creds_ended(c, creds, k);                  /* even after an error: what ended, ended */
    return e;
}
