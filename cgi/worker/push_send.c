/* push_send.c — see push_send.h. Who owns what: a batch's PGresults and payload texts (jansson's)
 * live until the batch ends, since its items borrow their strings; the rest is freed here. */
#include "push_send.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "jobs.h"
#include "push_pool.h"
#include "runner.h"
#include "../app/notify.h"
#include "../app/presence.h"
#include "../app/smallsite.h"
#include "../core/log.h"
#include "../core/clock.h"
#include "../store/pgarr.h"

/* Minutes after midnight now in the person's time zone (np: their notify_prefs row); whether
 * that is inside their do-not-disturb hours (start > end spans midnight); when those end. */
#define PS_NOW "(extract(hour FROM now() AT TIME ZONE np.time_zone) * 60 + extract(minute FROM now() AT TIME ZONE np.time_zone))"
#define PS_IN_DND "coalesce(np.dnd_start IS NOT NULL AND CASE WHEN np.dnd_start < np.dnd_end THEN " PS_NOW \
    " >= np.dnd_start AND " PS_NOW " < np.dnd_end ELSE " PS_NOW " >= np.dnd_start OR " PS_NOW " < np.dnd_end END, false)"
#define PS_DND_END "CASE WHEN np.dnd_end IS NULL THEN 0 ELSE extract(epoch FROM (SELECT CASE WHEN t <= now() " \
    "THEN t + interval '1 day' ELSE t END FROM (SELECT (date_trunc('day', now() AT TIME ZONE np.time_zone) " \
    "+ np.dnd_end * interval '1 minute') AT TIME ZONE np.time_zone AS t) x))::bigint END"

const db_stmt push_send_stmts[] = {
    {"push_msg", "SELECT m.sender_id, m.body, m.kind, m.deleted_at IS NOT NULL, c.kind, c.title, c.e2e, "
                 "coalesce(m.sender_name || ' (via ' || u.display_name || ')', u.display_name, ''), "
                 "(SELECT role FROM members WHERE conversation_id = m.conversation_id "
                 "AND user_id = m.sender_id) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                 "LEFT JOIN users u ON u.id = m.sender_id WHERE m.conversation_id = $1 AND m.seq = $2"},
    /* Who hears of it, with every device of theirs not yet sent this message, and what they
     * asked for (notify.c): not muted, not "nothing"; the level ("mentions" is checked here
     * in C), username and keywords come along, and whether they are inside their
     * do-not-disturb hours now, with the unix time those end (such pushes are held). */
    {"push_targets", "SELECT s.id, s.user_id, s.endpoint, encode(s.p256dh, 'hex'), encode(s.auth, 'hex'), "
                     "coalesce(ns.level, CASE c.kind WHEN 'channel' THEN 'mentions' ELSE 'all' END), u.username, "
                     "coalesce(array_to_string(np.keywords, E'\\n'), ''), " PS_IN_DND ", " PS_DND_END " "
                     "FROM members m JOIN conversations c ON c.id = m.conversation_id "
                     "JOIN users u ON u.id = m.user_id AND u.deactivated_at IS NULL "
                     "JOIN push_subscriptions s ON s.user_id = m.user_id "
                     "LEFT JOIN notify_settings ns ON ns.user_id = m.user_id AND ns.conversation_id = m.conversation_id "
                     "LEFT JOIN notify_prefs np ON np.user_id = m.user_id "
                     "WHERE m.conversation_id = $1 AND m.user_id IS DISTINCT FROM $2::bigint AND m.read_seq < $3 "
                     "AND m.request IS NULL "   /* message requests are silent until accepted */
                     "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = m.user_id AND b.blocked_id = $2::bigint) "
                     "AND NOT EXISTS (SELECT 1 FROM push_sent p WHERE p.subscription_id = s.id "
                     "AND p.conversation_id = $1 AND p.seq = $3) "
                     "AND (ns.muted_until IS NULL OR ns.muted_until <= now()) "
                     "AND coalesce(ns.level, CASE c.kind WHEN 'channel' THEN 'mentions' ELSE 'all' END) <> 'none' "
                     "ORDER BY s.user_id, s.id"},
    /* What was delivered, many at once: arrays of subscription, conversation and seq. */
    {"push_ok", "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(sub, conv, seq)), "
                "s AS (UPDATE push_subscriptions p SET last_success_at = now(), last_error = NULL, last_error_at = NULL "
                "WHERE p.id IN (SELECT sub FROM v) RETURNING p.id) "
                "INSERT INTO push_sent (subscription_id, conversation_id, seq) SELECT v.sub, v.conv, v.seq FROM v "
                "JOIN s ON s.id = v.sub ON CONFLICT DO NOTHING"},
    {"push_gone", "DELETE FROM push_subscriptions WHERE id = $1"},
    /* A later look at those who were reading when the message came: still unread, then pushed. */
    {"push_recheck_at", "UPDATE jobs SET run_after = now() + $2::int * interval '1 second' WHERE id = $1 AND state = 'queued'"},
    /* Read notices: the devices of $1 pushed a message of $2 up to $3 and not cleared yet. */
    {"push_read_targets", "SELECT DISTINCT s.id, s.user_id, s.endpoint, encode(s.p256dh, 'hex'), encode(s.auth, 'hex') "
                          "FROM push_subscriptions s JOIN push_sent p ON p.subscription_id = s.id WHERE s.user_id = $1 "
                          "AND p.conversation_id = $2 AND p.seq <= $3 AND p.cleared_at IS NULL ORDER BY s.id"},
    {"push_cleared", "UPDATE push_sent p SET cleared_at = now() "
                     "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(sub, conv, seq) "
                     "WHERE p.subscription_id = v.sub AND p.conversation_id = v.conv AND p.seq <= v.seq "
                     "AND p.cleared_at IS NULL"},
    {"push_hold_at", "UPDATE jobs SET run_after = to_timestamp($2::bigint) WHERE id = $1 AND state = 'queued'"},
    {"push_error", "UPDATE push_subscriptions SET last_error = left($2, 300), last_error_at = now() WHERE id = $1"},
    {NULL, NULL},
};

/* The first PUSH_EXCERPT_CHARS characters of body, white space folded to one space; "…"
 * when cut. Into out (cap bytes). */
static void push_excerpt(const char *body, char *out, size_t cap)
{
    size_t o = 0, chars = 0;
    int space = 0;
    const unsigned char *p = (const unsigned char *)body;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    for (; *p && o + 8 < cap; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') { space = 1; continue; }
        int lead = (*p & 0xc0) != 0x80;
        if (lead && chars + space >= PUSH_EXCERPT_CHARS) {
            memcpy(out + o, "\xe2\x80\xa6", 3);
            o += 3;
            break;
        }
        if (space) { out[o++] = ' '; chars++; space = 0; }
        out[o++] = (char)*p;
        chars += lead;
    }
    /* A cut inside a character (cap reached) drops its partial bytes. */
    while (o && ((unsigned char)out[o - 1] & 0xc0) == 0x80) {
        size_t k = o;
        while (k && ((unsigned char)out[k - 1] & 0xc0) == 0x80) k--;
        if (!k) break;
        unsigned char lead = (unsigned char)out[k - 1];
        size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        if (o - k + 1 >= want) break;
        o = k - 1;
    }
    out[o] = '\0';
}

char *push_payload(const char *kind, const char *title, int e2e, const char *sender, const char *body,
                   long long conv_id, long long seq, const char *base_url)
{
    char excerpt[PUSH_EXCERPT_CHARS * 4 + 8], url[512], tag[32], heading[200];
    snprintf(url, sizeof url, "%s/conversations/%lld", base_url ? base_url : "", conv_id);
    snprintf(tag, sizeof tag, "conversation-%lld", conv_id);
    json_t *j;
    if (e2e) {     /* the server cannot read it, and says nothing of who wrote what */
        j = json_pack("{s:s,s:s,s:I,s:I,s:s,s:s}", "title", "New message", "body", "", "conversation_id",
                      (json_int_t)conv_id, "seq", (json_int_t)seq, "url", url, "tag", tag);
    } else {
        push_excerpt(body, excerpt, sizeof excerpt);
        int direct = !strcmp(kind, "direct");
        if (direct || !*title) snprintf(heading, sizeof heading, "%s", *sender ? sender : "Parley");
        else snprintf(heading, sizeof heading, "%s in %s", *sender ? sender : "Someone", title);
        j = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "title", heading, "body", excerpt, "sender", sender,
                      "conversation_title", title, "conversation_id", (json_int_t)conv_id, "seq", (json_int_t)seq,
                      "url", url, "tag", tag);
    }
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return text;
}

/* Queues a push.message job (payload, key; none when the key is taken) and names when it
 * runs with stmt ($1 the job's id, $2 at), in one transaction; on failure it is rolled back. */
static err_t push_later(svc *s, const char *payload, const char *key, const char *stmt, const char *at)
{
    long long id = 0;
    err_t e = db_begin(s->db);
    if (!e) e = jobs_enqueue(s->db, "push.message", payload, key, 0, &id);
    if (!e && id) {
        char ids[24];
        snprintf(ids, sizeof ids, "%lld", id);
        const char *p[] = {ids, at};
        e = db_run(s->db, stmt, 2, p);
    }
    if (!e) e = db_commit(s->db);
    if (e) db_rollback(s->db);
    return e;
}

/* Queues another look (recheck n) at message seq for people who were online when it came:
 * after PARLEY_PRESENCE_AWAY seconds, those who left without reading it get their push. */
static void push_recheck(svc *s, long long conv_id, long long seq, int n)
{
    char payload[128], key[80], delay[24];
    snprintf(payload, sizeof payload, "{\"conversation_id\":%lld,\"seq\":%lld,\"recheck\":%d}", conv_id, seq, n);
    snprintf(key, sizeof key, "push:%lld:%lld:r%d", conv_id, seq, n);
    snprintf(delay, sizeof delay, "%ld", s->cfg->presence_away);
    if (push_later(s, payload, key, "push_recheck_at", delay))
        log_warn("push: conversation %lld seq %lld: no later look for those online", conv_id, seq);
}

/* Queues another push.message for message seq at unix time until (when someone's
 * do-not-disturb hours end): then whoever has still not read it is pushed. One job per end
 * time (its key), so many people with the same hours cost one. */
static void push_hold(svc *s, long long conv_id, long long seq, long long until)
{
    char payload[128], key[96], at[24];
    snprintf(payload, sizeof payload, "{\"conversation_id\":%lld,\"seq\":%lld,\"held\":%lld}", conv_id, seq, until);
    snprintf(key, sizeof key, "push:%lld:%lld:dnd%lld", conv_id, seq, until);
    snprintf(at, sizeof at, "%lld", until);
    if (push_later(s, payload, key, "push_hold_at", at))
        log_warn("push: conversation %lld seq %lld: not held for do-not-disturb; dropped", conv_id, seq);
}

/* One job of a batch: what it found to send and what came of it. */
typedef struct ps_job {
    int read;                   /* push.read (else push.message) */
    long long conv_id, seq, uid;
    char *plain;                /* the notification's JSON (jansson's; freed at the end) */
    PGresult *r;                /* its targets: the items borrow their strings */
    int sent, transient, skipped, unmentioned, held;
    size_t first, count;        /* its items: b->items[first .. first + count) */
    job_outcome *out;
} ps_job;

/* Delivered notifications not yet recorded: three parallel array parameters, one statement
 * each flush (push_ok, or push_cleared for read notices); the batch frees them. */
typedef struct ps_rec {
    pgarr sub, conv, seq;
} ps_rec;

/* The batch as push_pool's hooks see it. */
typedef struct ps_batch {
    svc *s;
    ps_job *jobs;
    push_item *items;
    int *job_of;                /* per item: its job */
    const char **sub_of;        /* per item: its subscription id (in the job's PGresult) */
    long *dup_of;               /* per item: the item of an earlier job sending the same, or -1 */
    size_t n, cap;
    ps_rec ok, cleared;
} ps_batch;

enum { PS_FLUSH = 200 };        /* delivered notifications recorded per statement */

static void ps_rec_add(ps_rec *k, const char *sub, long long conv_id, long long seq)
{
    pgarr_text(&k->sub, sub);
    pgarr_id(&k->conv, conv_id);
    pgarr_id(&k->seq, seq);
}

/* Records what k holds with statement stmt (push_ok or push_cleared), then empties it. */
static void ps_rec_flush(svc *s, ps_rec *k, const char *stmt)
{
    size_t n = k->sub.n;
    if (!n) return;
    const char *p[] = {pgarr_close(&k->sub), pgarr_close(&k->conv), pgarr_close(&k->seq)};
    if (!p[0] || !p[1] || !p[2] || db_run(s->db, stmt, 3, p))
        log_warn("push: %zu notifications sent, but not recorded (a second run may send them again)", n);
    pgarr_reset(&k->sub), pgarr_reset(&k->conv), pgarr_reset(&k->seq);
}

static void ps_rec_free(ps_rec *k)
{
    pgarr_free(&k->sub), pgarr_free(&k->conv), pgarr_free(&k->seq);
}

/* Room for one more item; -1 when out of memory. */
static int ps_grow(ps_batch *b)
{
    if (b->n < b->cap) return 0;
    size_t cap = b->cap ? b->cap * 2 : 256;
    push_item *items = realloc(b->items, cap * sizeof *items);
    if (items) b->items = items;
    int *job_of = realloc(b->job_of, cap * sizeof *job_of);
    if (job_of) b->job_of = job_of;
    const char **sub_of = realloc(b->sub_of, cap * sizeof *sub_of);
    if (sub_of) b->sub_of = sub_of;
    long *dup_of = realloc(b->dup_of, cap * sizeof *dup_of);
    if (dup_of) b->dup_of = dup_of;
    if (!items || !job_of || !sub_of || !dup_of) return -1;
    b->cap = cap;
    return 0;
}

/* Row i of job ji's targets as a notification to send. */
static int ps_add(ps_batch *b, int ji, int row, const char *urgency)
{
    if (ps_grow(b)) return -1;
    ps_job *j = &b->jobs[ji];
    push_item *it = &b->items[b->n];
    memset(it, 0, sizeof *it);
    it->endpoint = PQgetvalue(j->r, row, 2);
    it->p256dh_hex = PQgetvalue(j->r, row, 3);
    it->auth_hex = PQgetvalue(j->r, row, 4);
    it->plain = j->plain;
    it->urgency = urgency;
    it->topic = j->conv_id;
    b->job_of[b->n] = ji;
    b->sub_of[b->n] = PQgetvalue(j->r, row, 0);
    b->dup_of[b->n] = -1;
    if (!j->count) j->first = b->n;
    j->count++;
    b->n++;
    return 0;
}

/* push.message: loads the message and its targets, applies the rules, queues what is held
 * or looked at again later, and adds the rest to the batch. 0, or an error in j->out. */
static err_t ps_message(ps_batch *b, int ji, json_t *payload)
{
    svc *s = b->s;
    ps_job *j = &b->jobs[ji];
    char *why = j->out->why;
    size_t whylen = sizeof j->out->why;
    json_t *cj = json_object_get(payload, "conversation_id"), *sj = json_object_get(payload, "seq");
    if (!json_is_integer(cj) || !json_is_integer(sj)) {
        snprintf(why, whylen, "payload must be {\"conversation_id\": N, \"seq\": N}");
        return ERR_INVALID_FIELD;
    }
    if (!s->cfg->vapid_public || !*s->cfg->vapid_public) {
        log_info("push: no VAPID keys configured; nothing sent");
        return ERR_OK;
    }
    long long conv_id = j->conv_id = (long long)json_integer_value(cj), seq = j->seq = (long long)json_integer_value(sj);
    char conv_s[24], seq_s[24];
    snprintf(conv_s, sizeof conv_s, "%lld", conv_id);
    snprintf(seq_s, sizeof seq_s, "%lld", seq);
    const char *p[] = {conv_s, seq_s};
    PGresult *m;
    err_t e = db_exec(s->db, "push_msg", 2, p, &m);
    if (e) { snprintf(why, whylen, "loading the message: %s", err_lookup(e)->message); return e; }
    if (PQntuples(m) != 1 || PQgetvalue(m, 0, 3)[0] == 't' || !strcmp(PQgetvalue(m, 0, 2), "system")) {
        PQclear(m);                                      /* gone, deleted, or not a person's */
        return ERR_OK;
    }
    const char *sender = PQgetisnull(m, 0, 0) ? NULL : arena_strdup(s->a, PQgetvalue(m, 0, 0));
    const char *body = arena_strdup(s->a, PQgetvalue(m, 0, 1));
    int e2e = PQgetvalue(m, 0, 6)[0] == 't';
    int direct = !strcmp(PQgetvalue(m, 0, 4), "direct");
    /* @all and @here: in groups, and in channels from owners and admins (notify.h). */
    int everyone = !e2e && body && notify_everyone_allowed(PQgetvalue(m, 0, 4), PQgetisnull(m, 0, 8) ? NULL : PQgetvalue(m, 0, 8));
    int to_all = everyone && notify_mentions_all(s->a, body, strlen(body));
    int to_here = everyone && !to_all && notify_mentions_here(s->a, body, strlen(body));
    j->plain = push_payload(PQgetvalue(m, 0, 4), PQgetvalue(m, 0, 5), PQgetvalue(m, 0, 6)[0] == 't',
                            PQgetvalue(m, 0, 7), PQgetvalue(m, 0, 1), conv_id, seq, s->cfg->public_url);
    PQclear(m);
    if (!j->plain || !body) { snprintf(why, whylen, "out of memory"); return ERR_INTERNAL; }
    const char *q[] = {conv_s, sender, seq_s};
    if ((e = db_exec(s->db, "push_targets", 3, q, &j->r))) {
        j->r = NULL;
        snprintf(why, whylen, "finding the recipients: %s", err_lookup(e)->message);
        return e;
    }
    long long holds[16];     /* the end times already queued by this run */
    int nholds = 0, last_online = 0, last_here = 0;
    long long last_uid = 0;
    PGresult *r = j->r;
    /* Everyone's presence in one Redis round trip (rows come ordered by person). */
    int rows = PQntuples(r);
    long long *uids = arena_alloc(s->a, sizeof *uids * (size_t)(rows ? rows : 1));
    const char **states = arena_alloc(s->a, sizeof *states * (size_t)(rows ? rows : 1));
    size_t nu = 0;
    for (int i = 0; uids && i < rows; i++) {
        long long uid = atoll(PQgetvalue(r, i, 1));
        if (!nu || uids[nu - 1] != uid) uids[nu++] = uid;
    }
    if (uids && states) presence_states(s, uids, nu, states);
    size_t ui = 0;
    for (int i = 0; i < rows; i++) {
        long long uid = atoll(PQgetvalue(r, i, 1));
        if (uid != last_uid) {                           /* reading in an open tab: they see it there */
            last_uid = uid;
            while (uids && states && ui < nu && uids[ui] != uid) ui++;
            const char *st = uids && states && ui < nu ? states[ui] : NULL;
            last_online = st && !strcmp(st, "online");
            last_here = to_here && !last_online && st && !strcmp(st, "away");   /* open but away */
            runner_keepalive(s->db);
        }
        if (last_online) { j->skipped++; continue; }
        /* Mentions only: @username or one of their keywords (not knowable when encrypted). */
        if (!strcmp(PQgetvalue(r, i, 5), "mentions") && !to_all && !last_here &&
            (e2e || !notify_mentions(s->a, body, strlen(body), PQgetvalue(r, i, 6), PQgetvalue(r, i, 7)))) {
            j->unmentioned++;
            continue;
        }
        if (PQgetvalue(r, i, 8)[0] == 't') {             /* do-not-disturb: held until it ends */
            long long until = atoll(PQgetvalue(r, i, 9));
            int k = 0;
            while (k < nholds && holds[k] != until) k++;
            if (k == nholds) {
                push_hold(s, conv_id, seq, until);
                if (nholds < 16) holds[nholds++] = until;
            }
            j->held++;
            continue;
        }
        if (ps_add(b, ji, i, direct ? "high" : "normal")) { snprintf(why, whylen, "out of memory"); return ERR_INTERNAL; }
    }
    /* Those reading now may close the tab without reading this one: look again later. */
    int recheck = (int)json_integer_value(json_object_get(payload, "recheck"));
    if (j->skipped && recheck < PUSH_RECHECKS) push_recheck(s, conv_id, seq, recheck + 1);
    return ERR_OK;
}

/* push.read: the devices to tell, added to the batch. 0, or an error in j->out. */
static err_t ps_read(ps_batch *b, int ji, json_t *payload)
{
    svc *s = b->s;
    ps_job *j = &b->jobs[ji];
    char *why = j->out->why;
    size_t whylen = sizeof j->out->why;
    json_t *uj = json_object_get(payload, "user_id"), *cj = json_object_get(payload, "conversation_id");
    json_t *sj = json_object_get(payload, "seq");
    if (!json_is_integer(uj) || !json_is_integer(cj) || !json_is_integer(sj)) {
        snprintf(why, whylen, "payload must be {\"user_id\": N, \"conversation_id\": N, \"seq\": N}");
        return ERR_INVALID_FIELD;
    }
    if (!s->cfg->vapid_public || !*s->cfg->vapid_public) return ERR_OK;
    j->read = 1;
    j->uid = (long long)json_integer_value(uj);
    j->conv_id = (long long)json_integer_value(cj);
    j->seq = (long long)json_integer_value(sj);
    char uid_s[24], conv_s[24], seq_s[24];
    snprintf(uid_s, sizeof uid_s, "%lld", j->uid);
    snprintf(conv_s, sizeof conv_s, "%lld", j->conv_id);
    snprintf(seq_s, sizeof seq_s, "%lld", j->seq);
    const char *p[] = {uid_s, conv_s, seq_s};
    err_t e = db_exec(s->db, "push_read_targets", 3, p, &j->r);
    if (e) { j->r = NULL; snprintf(why, whylen, "finding the devices: %s", err_lookup(e)->message); return e; }
    json_t *n = json_pack("{s:s,s:I,s:I}", "type", "read", "conv", (json_int_t)j->conv_id, "seq", (json_int_t)j->seq);
    j->plain = n ? json_dumps(n, JSON_COMPACT) : NULL;
    json_decref(n);
    if (!j->plain) { snprintf(why, whylen, "out of memory"); return ERR_INTERNAL; }
    for (int i = 0; i < PQntuples(j->r); i++)
        if (ps_add(b, ji, i, "low")) { snprintf(why, whylen, "out of memory"); return ERR_INTERNAL; }
    return ERR_OK;
}

/* Two jobs of one batch may send the same notification (a message's job and its later look
 * claimed together): the later one's copy rides on the earlier one's (dup_of). */
static void ps_dedupe(ps_batch *b, int njobs)
{
    for (int a = 0; a < njobs; a++)
        for (int c = a + 1; c < njobs; c++) {
            ps_job *x = &b->jobs[a], *y = &b->jobs[c];
            if (!x->r || !y->r || x->read != y->read || x->conv_id != y->conv_id || x->seq != y->seq) continue;
            for (size_t i = y->first; i < y->first + y->count; i++)
                for (size_t k = x->first; k < x->first + x->count; k++)
                    if (!b->items[k].skip && !strcmp(b->sub_of[k], b->sub_of[i])) {
                        b->items[i].skip = 1;
                        b->dup_of[i] = (long)k;
                        break;
                    }
        }
}

/* push_pool's done hook: records one outcome at once (a failure) or with the next flush
 * (a delivery). */
static void ps_done(void *ud, push_item *it)
{
    ps_batch *b = ud;
    size_t i = (size_t)(it - b->items);
    ps_job *j = &b->jobs[b->job_of[i]];
    const char *sub_id = b->sub_of[i];
    svc *s = b->s;
    if (it->state == PUSH_SENT) {
        ps_rec *k = j->read ? &b->cleared : &b->ok;
        ps_rec_add(k, sub_id, j->conv_id, j->seq);      /* out of memory: said at the flush */
        if (k->sub.n >= PS_FLUSH) ps_rec_flush(s, k, j->read ? "push_cleared" : "push_ok");
        return;
    }
    if (it->state == PUSH_GONE) {                      /* the browser unsubscribed */
        const char *p[] = {sub_id};
        db_run(s->db, "push_gone", 1, p);
        log_info("push: subscription %s: the push service answered %ld; deleted", sub_id, it->status);
        return;
    }
    const char *p[] = {sub_id, it->why};
    db_run(s->db, "push_error", 2, p);
    if (it->state == PUSH_FAILED) log_warn("push: subscription %s: %s; not retried", sub_id, it->why);
}

/* push_pool's tick: deliveries recorded, leases renewed. */
static void ps_tick(void *ud)
{
    ps_batch *b = ud;
    ps_rec_flush(b->s, &b->ok, "push_ok");
    ps_rec_flush(b->s, &b->cleared, "push_cleared");
    runner_keepalive(b->s->db);
}

void push_batch_run(svc *s, const char *const *names, json_t *const *payloads, int n, job_outcome *out)
{
    long long t0 = clock_now_ms();
    ps_batch b = {.s = s};
    b.jobs = calloc((size_t)n, sizeof *b.jobs);
    if (!b.jobs) {
        for (int i = 0; i < n; i++) { out[i].e = ERR_INTERNAL; snprintf(out[i].why, sizeof out[i].why, "out of memory"); }
        return;
    }
    for (int i = 0; i < n; i++) {
        b.jobs[i].out = &out[i];
        out[i].e = !strcmp(names[i], "push.read") ? ps_read(&b, i, payloads[i]) : ps_message(&b, i, payloads[i]);
    }
    ps_dedupe(&b, n);
    long long t1 = clock_now_ms();
    push_hooks hooks = {.done = ps_done, .tick = ps_tick, .ud = &b};
    int most = push_pool_send(s->cfg, small_site(s->cfg) ? NULL : s->kv, b.items, b.n, &hooks);
    long long t2 = clock_now_ms();
    if (b.n)
        log_info("push: a batch of %d jobs, %zu notifications: targets found in %lld ms, sent in %lld ms, "
                 "at most %d in flight", n, b.n, t1 - t0, t2 - t1, most);
    for (size_t i = 0; i < b.n; i++) {
        push_item *it = &b.items[i];
        ps_job *j = &b.jobs[b.job_of[i]];
        if (it->skip && b.dup_of[i] >= 0) it = &b.items[b.dup_of[i]];   /* sent (or not) by the other job */
        else if (it->skip) continue;
        if (it->state == PUSH_SENT) j->sent++;
        else if (it->state == PUSH_RETRY || it->state == PUSH_WAIT) {
            j->transient++;
            if (it->retry_after > j->out->retry_after) j->out->retry_after = it->retry_after;
            snprintf(j->out->why, sizeof j->out->why, "subscription %s: %s", b.sub_of[i], it->why);
        }
    }
    for (int i = 0; i < n; i++) {
        ps_job *j = &b.jobs[i];
        if (!out[i].e && j->transient) out[i].e = ERR_UNAVAILABLE;
        if (j->read && j->r)
            log_info("push: conversation %lld read to %lld by account %lld: %d read notices sent, %d to retry", j->conv_id,
                     j->seq, j->uid, j->sent, j->transient);
        else if (j->r)
            log_info("push: conversation %lld seq %lld: %d sent, %d skipped (online), %d not mentioned, %d held "
                     "(do-not-disturb), %d to retry", j->conv_id, j->seq, j->sent, j->skipped, j->unmentioned, j->held,
                     j->transient);
        PQclear(j->r);
        free(j->plain);
    }
    ps_rec_free(&b.ok);
    ps_rec_free(&b.cleared);
    free(b.items);
    free(b.job_of);
    free(b.sub_of);
    free(b.dup_of);
    free(b.jobs);
}

/* One job alone (`parley jobs run`, tests): a batch of one. */
static err_t ps_one(svc *s, const char *kind, json_t *payload, char *why, size_t whylen)
{
    job_outcome o = {0};
    const char *names[] = {kind};
    json_t *payloads[] = {payload};
    push_batch_run(s, names, payloads, 1, &o);
    snprintf(why, whylen, "%s", o.why);
    return o.e;
}

err_t push_send_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    return ps_one(s, "push.message", payload, why, whylen);
}

err_t push_read_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    return ps_one(s, "push.read", payload, why, whylen);
}
