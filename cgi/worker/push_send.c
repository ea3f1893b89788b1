/* push_send.c — see push_send.h. Who owns what: PGresults cleared in the function that made
 * them; the payload text is jansson's (freed here); the ciphertext is on the stack. */
#include "push_send.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "outbound_http.h"
#include "../core/outbound.h"
#include "jobs.h"
#include "runner.h"
#include "../app/notify.h"
#include "../app/presence.h"
#include "../core/log.h"
#include "../core/vapid.h"
#include "../core/webpush.h"

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
    {"push_ok", "WITH s AS (UPDATE push_subscriptions SET last_success_at = now(), last_error = NULL, "
                "last_error_at = NULL WHERE id = $1 RETURNING id) "
                "INSERT INTO push_sent (subscription_id, conversation_id, seq) SELECT id, $2, $3 FROM s "
                "ON CONFLICT DO NOTHING"},
    {"push_gone", "DELETE FROM push_subscriptions WHERE id = $1"},
    /* A later look at those who were reading when the message came: still unread, then pushed. */
    {"push_recheck_at", "UPDATE jobs SET run_after = now() + $2::int * interval '1 second' WHERE id = $1 AND state = 'queued'"},
    /* Read notices: the devices of $1 pushed a message of $2 up to $3 and not cleared yet. */
    {"push_read_targets", "SELECT DISTINCT s.id, s.user_id, s.endpoint, encode(s.p256dh, 'hex'), encode(s.auth, 'hex') "
                          "FROM push_subscriptions s JOIN push_sent p ON p.subscription_id = s.id WHERE s.user_id = $1 "
                          "AND p.conversation_id = $2 AND p.seq <= $3 AND p.cleared_at IS NULL ORDER BY s.id"},
    {"push_cleared", "UPDATE push_sent SET cleared_at = now() WHERE subscription_id = $1 AND conversation_id = $2 "
                     "AND seq <= $3 AND cleared_at IS NULL"},
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

/* What one job reuses from one send to the next: libcurl's handle (open connections) and
 * the VAPID header of the last push service origin (good for 12 hours, the job lasts less). */
typedef struct push_run {
    void *curl;
    char origin[OUTBOUND_HOST_MAX + 32];
    char authz[VAPID_HEADER_MAX + 32];
} push_run;

/* Sends one notification to one subscription. *transient is set on a failure worth a retry. */
enum { PS_NORMAL, PS_DIRECT, PS_READ };   /* a group's message, a direct one, a read notice */

static void push_one(svc *s, push_run *pr, PGresult *r, int i, const char *plain, long long conv_id, long long seq,
                     int mode, int *sent, int *transient, char *why, size_t whylen)
{
    const char *sub_id = PQgetvalue(r, i, 0), *endpoint = PQgetvalue(r, i, 2);
    unsigned char key[WEBPUSH_KEY_LEN], auth[WEBPUSH_AUTH_LEN];
    unsigned char body[WEBPUSH_RECORD_SIZE];
    char line[300];
    size_t kl = 0, al = 0;
    long n = -1;
    if (!sodium_hex2bin(key, sizeof key, PQgetvalue(r, i, 3), strlen(PQgetvalue(r, i, 3)), NULL, &kl, NULL) &&
        !sodium_hex2bin(auth, sizeof auth, PQgetvalue(r, i, 4), strlen(PQgetvalue(r, i, 4)), NULL, &al, NULL) &&
        kl == sizeof key && al == sizeof auth)
        n = webpush_encrypt_fresh(key, auth, (const unsigned char *)plain, strlen(plain), body, sizeof body);
    char origin[sizeof pr->origin];
    int fresh = n >= 0 && !vapid_origin(endpoint, origin, sizeof origin) && strcmp(origin, pr->origin);
    if (fresh) {
        snprintf(pr->authz, sizeof pr->authz, "Authorization: ");
        pr->origin[0] = '\0';
        if (!vapid_authorization(s->cfg->vapid_public, s->cfg->vapid_private, s->cfg->vapid_subject, endpoint,
                                 (long long)time(NULL), pr->authz + 15, sizeof pr->authz - 15))
            snprintf(pr->origin, sizeof pr->origin, "%s", origin);
    }
    const char *authz = pr->authz;
    if (n < 0 || !pr->origin[0] || vapid_origin(endpoint, origin, sizeof origin) || strcmp(origin, pr->origin)) {
        const char *p[] = {sub_id, "could not encrypt or sign for this subscription"};
        db_run(s->db, "push_error", 2, p);
        log_warn("push: subscription %s: could not encrypt or sign", sub_id);
        return;
    }
    char ttl[32], topic[48];
    snprintf(ttl, sizeof ttl, "TTL: %d", PUSH_TTL);
    snprintf(topic, sizeof topic, "Topic: conversation-%lld", conv_id);   /* replaces the previous one */
    const char *headers[] = {authz, "Content-Type: application/octet-stream", "Content-Encoding: aes128gcm", ttl,
                             mode == PS_READ ? "Urgency: low" : mode == PS_DIRECT ? "Urgency: high" : "Urgency: normal",
                             topic, NULL};
    outbound_result res;
    long timeout = s->cfg->job_lease / 4 < 15 ? s->cfg->job_lease / 4 : 15;
    int rc = outbound_post(s->cfg, endpoint, headers, body, (size_t)n, timeout > 1 ? timeout : 1, &res, line, sizeof line,
                           &pr->curl);
    char seq_s[24], conv_s[24];
    snprintf(seq_s, sizeof seq_s, "%lld", seq);
    snprintf(conv_s, sizeof conv_s, "%lld", conv_id);
    if (!rc && res.status >= 200 && res.status < 300) {
        const char *p[] = {sub_id, conv_s, seq_s};
        if (db_run(s->db, mode == PS_READ ? "push_cleared" : "push_ok", 3, p))
            log_warn("push: subscription %s: sent, but not recorded", sub_id);
        (*sent)++;
        return;
    }
    if (!rc && (res.status == 404 || res.status == 410)) {     /* the browser unsubscribed */
        const char *p[] = {sub_id};
        db_run(s->db, "push_gone", 1, p);
        log_info("push: subscription %s: the push service answered %ld; deleted", sub_id, res.status);
        return;
    }
    if (!rc) snprintf(line, sizeof line, "the push service answered %ld", res.status);
    const char *p[] = {sub_id, line};
    db_run(s->db, "push_error", 2, p);
    if (res.refused || (!rc && res.status >= 400 && res.status < 500 && res.status != 429)) {
        log_warn("push: subscription %s: %s; not retried", sub_id, line);
        return;
    }
    *transient = 1;
    snprintf(why, whylen, "subscription %s: %s", sub_id, line);
}

/* Queues another look (recheck n) at message seq for people who were online when it came:
 * after PARLEY_PRESENCE_AWAY seconds, those who left without reading it get their push. */
static void push_recheck(svc *s, long long conv_id, long long seq, int n)
{
    char payload[128], key[80];
    snprintf(payload, sizeof payload, "{\"conversation_id\":%lld,\"seq\":%lld,\"recheck\":%d}", conv_id, seq, n);
    snprintf(key, sizeof key, "push:%lld:%lld:r%d", conv_id, seq, n);
    long long id = 0;
    err_t e = db_begin(s->db);
    if (!e) e = jobs_enqueue(s->db, "push.message", payload, key, 0, &id);
    if (!e && id) {
        char ids[24], delay[24];
        snprintf(ids, sizeof ids, "%lld", id);
        snprintf(delay, sizeof delay, "%ld", s->cfg->presence_away);
        const char *p[] = {ids, delay};
        e = db_run(s->db, "push_recheck_at", 2, p);
    }
    if (!e) e = db_commit(s->db);
    if (e) {
        db_rollback(s->db);
        log_warn("push: conversation %lld seq %lld: no later look for those online", conv_id, seq);
    }
}

/* Queues another push.message for message seq at unix time until (when someone's
 * do-not-disturb hours end): then whoever has still not read it is pushed. One job per end
 * time (its key), so many people with the same hours cost one. */
static void push_hold(svc *s, long long conv_id, long long seq, long long until)
{
    char payload[128], key[96];
    snprintf(payload, sizeof payload, "{\"conversation_id\":%lld,\"seq\":%lld,\"held\":%lld}", conv_id, seq, until);
    snprintf(key, sizeof key, "push:%lld:%lld:dnd%lld", conv_id, seq, until);
    long long id = 0;
    err_t e = db_begin(s->db);
    if (!e) e = jobs_enqueue(s->db, "push.message", payload, key, 0, &id);
    if (!e && id) {
        char ids[24], at[24];
        snprintf(ids, sizeof ids, "%lld", id);
        snprintf(at, sizeof at, "%lld", until);
        const char *p[] = {ids, at};
        e = db_run(s->db, "push_hold_at", 2, p);
    }
    if (!e) e = db_commit(s->db);
    if (e) {
        db_rollback(s->db);
        log_warn("push: conversation %lld seq %lld: not held for do-not-disturb; dropped", conv_id, seq);
    }
}

err_t push_send_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *cj = json_object_get(payload, "conversation_id"), *sj = json_object_get(payload, "seq");
    if (!json_is_integer(cj) || !json_is_integer(sj)) {
        snprintf(why, whylen, "payload must be {\"conversation_id\": N, \"seq\": N}");
        return ERR_INVALID_FIELD;
    }
    if (!s->cfg->vapid_public || !*s->cfg->vapid_public) {
        log_info("push: no VAPID keys configured; nothing sent");
        return ERR_OK;
    }
    long long conv_id = (long long)json_integer_value(cj), seq = (long long)json_integer_value(sj);
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
    char *plain = push_payload(PQgetvalue(m, 0, 4), PQgetvalue(m, 0, 5), PQgetvalue(m, 0, 6)[0] == 't',
                               PQgetvalue(m, 0, 7), PQgetvalue(m, 0, 1), conv_id, seq, s->cfg->public_url);
    PQclear(m);
    if (!plain) { snprintf(why, whylen, "out of memory"); return ERR_INTERNAL; }
    const char *q[] = {conv_s, sender, seq_s};
    PGresult *r;
    if ((e = db_exec(s->db, "push_targets", 3, q, &r))) {
        free(plain);
        snprintf(why, whylen, "finding the recipients: %s", err_lookup(e)->message);
        return e;
    }
    if (!body) { free(plain); PQclear(r); return ERR_INTERNAL; }
    int sent = 0, transient = 0, skipped = 0, unmentioned = 0, held = 0;
    long long holds[16];     /* the end times already queued by this run */
    int nholds = 0;
    long long last_uid = 0;
    push_run pr = {0};
    int last_online = 0, last_here = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        long long uid = atoll(PQgetvalue(r, i, 1));
        if (uid != last_uid) {                           /* reading in an open tab: they see it there */
            last_uid = uid;
            last_online = presence_online(s, uid) == 1;
            last_here = to_here && !last_online && presence_here(s, uid) == 1;   /* open but away */
        }
        if (last_online) { skipped++; continue; }
        /* Mentions only: @username or one of their keywords (not knowable when encrypted). */
        if (!strcmp(PQgetvalue(r, i, 5), "mentions") && !to_all && !last_here &&
            (e2e || !notify_mentions(s->a, body, strlen(body), PQgetvalue(r, i, 6), PQgetvalue(r, i, 7)))) {
            unmentioned++;
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
            held++;
            continue;
        }
        push_one(s, &pr, r, i, plain, conv_id, seq, direct ? PS_DIRECT : PS_NORMAL, &sent, &transient, why, whylen);
        runner_keepalive(s->db);
    }
    outbound_done(&pr.curl);
    PQclear(r);
    free(plain);
    log_info("push: conversation %lld seq %lld: %d sent, %d skipped (online), %d not mentioned, %d held (do-not-disturb), "
             "%d to retry", conv_id, seq, sent, skipped, unmentioned, held, transient);
    /* Those reading now may close the tab without reading this one: look again later. */
    int recheck = (int)json_integer_value(json_object_get(payload, "recheck"));
    if (skipped && recheck < PUSH_RECHECKS) push_recheck(s, conv_id, seq, recheck + 1);
    return transient ? ERR_UNAVAILABLE : ERR_OK;
}

err_t push_read_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *uj = json_object_get(payload, "user_id"), *cj = json_object_get(payload, "conversation_id");
    json_t *sj = json_object_get(payload, "seq");
    if (!json_is_integer(uj) || !json_is_integer(cj) || !json_is_integer(sj)) {
        snprintf(why, whylen, "payload must be {\"user_id\": N, \"conversation_id\": N, \"seq\": N}");
        return ERR_INVALID_FIELD;
    }
    if (!s->cfg->vapid_public || !*s->cfg->vapid_public) return ERR_OK;
    long long uid = (long long)json_integer_value(uj), conv_id = (long long)json_integer_value(cj);
    long long seq = (long long)json_integer_value(sj);
    char uid_s[24], conv_s[24], seq_s[24];
    snprintf(uid_s, sizeof uid_s, "%lld", uid);
    snprintf(conv_s, sizeof conv_s, "%lld", conv_id);
    snprintf(seq_s, sizeof seq_s, "%lld", seq);
    const char *p[] = {uid_s, conv_s, seq_s};
    PGresult *r;
    err_t e = db_exec(s->db, "push_read_targets", 3, p, &r);
    if (e) { snprintf(why, whylen, "finding the devices: %s", err_lookup(e)->message); return e; }
    json_t *j = json_pack("{s:s,s:I,s:I}", "type", "read", "conv", (json_int_t)conv_id, "seq", (json_int_t)seq);
    char *plain = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!plain) { PQclear(r); snprintf(why, whylen, "out of memory"); return ERR_INTERNAL; }
    int sent = 0, transient = 0;
    push_run pr = {0};
    for (int i = 0; i < PQntuples(r); i++) {
        push_one(s, &pr, r, i, plain, conv_id, seq, PS_READ, &sent, &transient, why, whylen);
        runner_keepalive(s->db);
    }
    outbound_done(&pr.curl);
    PQclear(r);
    free(plain);
    log_info("push: conversation %lld read to %lld by account %lld: %d read notices sent, %d to retry", conv_id, seq, uid,
             sent, transient);
    return transient ? ERR_UNAVAILABLE : ERR_OK;
}
