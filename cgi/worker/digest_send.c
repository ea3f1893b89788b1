/* digest_send.c — see digest_send.h. Who owns what: strings in the job's arena; PGresults
 * cleared in the function that made them; the mail's parts in bufs this file frees. */
#include "digest_send.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "jobs.h"
#include "mail.h"
#include "runner.h"
#include "../app/digest.h"
#include "../app/email.h"
#include "../app/notify.h"
#include "../app/users.h"
#include "../core/log.h"
#include "../core/mail.h"

/* Minutes after midnight now in the person's time zone, and whether that is inside their
 * do-not-disturb hours (start > end spans midnight); np is their notify_prefs row. */
#define DG_NOW "(extract(hour FROM now() AT TIME ZONE np.time_zone) * 60 + extract(minute FROM now() AT TIME ZONE np.time_zone))"
#define DG_IN_DND "coalesce(np.dnd_start IS NOT NULL AND CASE WHEN np.dnd_start < np.dnd_end THEN " DG_NOW \
    " >= np.dnd_start AND " DG_NOW " < np.dnd_end ELSE " DG_NOW " >= np.dnd_start OR " DG_NOW " < np.dnd_end END, false)"
#define DG_LEVEL "coalesce(ns.level, CASE c.kind WHEN 'channel' THEN 'mentions' ELSE 'all' END)"

const db_stmt digest_send_stmts[] = {
    {"digest_msg", "SELECT coalesce(m.body, ''), m.kind, m.deleted_at IS NOT NULL, c.kind, c.e2e, (SELECT role FROM "
                   "members WHERE conversation_id = m.conversation_id AND user_id = m.sender_id) FROM messages m "
                   "JOIN conversations c ON c.id = m.conversation_id WHERE m.conversation_id = $1 AND m.seq = $2"},
    /* Who may get this message by mail (the level "mentions" is checked in C). */
    {"digest_targets", "SELECT m.user_id, " DG_LEVEL ", u.username, coalesce(array_to_string(np.keywords, E'\\n'), ''), "
                       "coalesce(np.digest_minutes, 10) FROM members m JOIN conversations c ON c.id = m.conversation_id "
                       "JOIN users u ON u.id = m.user_id AND u.deactivated_at IS NULL AND u.email_verified_at IS NOT NULL "
                       "LEFT JOIN notify_settings ns ON ns.user_id = m.user_id AND ns.conversation_id = m.conversation_id "
                       "LEFT JOIN notify_prefs np ON np.user_id = m.user_id "
                       "WHERE m.conversation_id = $1 AND m.user_id IS DISTINCT FROM $2::bigint AND m.read_seq < $3 "
                       "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = m.user_id AND b.blocked_id = $2::bigint) "
                       "AND (ns.muted_until IS NULL OR ns.muted_until <= now()) AND " DG_LEVEL " <> 'none' "
                       "AND coalesce(np.email_digests, true) ORDER BY m.user_id"},
    /* A pending digest a day overdue lost its job (failed for good): it starts again. */
    {"digest_stale", "DELETE FROM digest_pending WHERE user_id = $1 AND conversation_id = $2 AND due_at < now() - interval '1 day'"},
    {"digest_add", "INSERT INTO digest_pending (user_id, conversation_id, first_seq, last_seq, due_at) "
                   "VALUES ($1, $2, $3, $3, now() + $4::int * interval '1 second') ON CONFLICT DO NOTHING "
                   "RETURNING extract(epoch FROM due_at)::bigint"},
    {"digest_extend", "UPDATE digest_pending SET first_seq = least(first_seq, $3), last_seq = greatest(last_seq, $3) "
                      "WHERE user_id = $1 AND conversation_id = $2"},
    {"digest_run_at", "UPDATE jobs SET run_after = to_timestamp($2::bigint) WHERE id = $1 AND state = 'queued'"},
    /* The pending digest and everything that decides whether it goes now. */
    {"digest_load", "SELECT p.first_seq, p.last_seq, u.email, u.display_name, u.username, "
                    "u.email_verified_at IS NOT NULL AND u.deactivated_at IS NULL AND coalesce(np.email_digests, true) "
                    "AND mb.user_id IS NOT NULL AND (ns.muted_until IS NULL OR ns.muted_until <= now()) AND " DG_LEVEL " <> 'none', "
                    DG_LEVEL ", coalesce(array_to_string(np.keywords, E'\\n'), ''), " DG_IN_DND ", "
                    "CASE WHEN np.dnd_end IS NULL THEN 0 ELSE extract(epoch FROM (SELECT CASE WHEN t <= now() "
                    "THEN t + interval '1 day' ELSE t END FROM (SELECT (date_trunc('day', now() AT TIME ZONE np.time_zone) "
                    "+ np.dnd_end * interval '1 minute') AT TIME ZONE np.time_zone AS t) x))::bigint END, "
                    "c.kind, coalesce(c.title, ''), c.e2e, coalesce(mb.read_seq, 0), p.due_at > now() + interval '1 second', "
                    "coalesce(np.time_zone, 'UTC'), coalesce(np.digest_minutes, 10), coalesce(np.clock24, false) "
                    "FROM digest_pending p JOIN users u ON u.id = p.user_id JOIN conversations c ON c.id = p.conversation_id "
                    "LEFT JOIN members mb ON mb.conversation_id = p.conversation_id AND mb.user_id = p.user_id "
                    "LEFT JOIN notify_settings ns ON ns.user_id = p.user_id AND ns.conversation_id = p.conversation_id "
                    "LEFT JOIN notify_prefs np ON np.user_id = p.user_id WHERE p.user_id = $1 AND p.conversation_id = $2"},
    {"digest_msgs", "SELECT m.seq, coalesce(m.sender_name || ' (via ' || u.display_name || ')', u.display_name, ''), coalesce(m.body, ''), "
                    "to_char(m.created_at AT TIME ZONE $5, CASE WHEN $6 THEN 'YYYY-MM-DD HH24:MI' ELSE 'YYYY-MM-DD FMHH12:MI AM' END), "
                    "(SELECT role FROM members WHERE "
                    "conversation_id = m.conversation_id AND user_id = m.sender_id) FROM messages m "
                    "LEFT JOIN users u ON u.id = m.sender_id WHERE m.conversation_id = $1 AND m.seq >= $2 AND m.seq <= $3 "
                    "AND m.sender_id IS DISTINCT FROM $4::bigint AND m.deleted_at IS NULL AND m.kind <> 'system' "
                    "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = $4::bigint AND b.blocked_id = m.sender_id) "
                    "ORDER BY m.seq LIMIT 500"},
    {"digest_hold", "UPDATE digest_pending SET due_at = to_timestamp($3::bigint) WHERE user_id = $1 AND conversation_id = $2"},
    {"digest_drop", "DELETE FROM digest_pending WHERE user_id = $1 AND conversation_id = $2"},
    /* Sent: gone, unless messages came meanwhile (last_seq grew): then they start the next. */
    {"digest_done", "DELETE FROM digest_pending WHERE user_id = $1 AND conversation_id = $2 AND last_seq <= $3"},
    {"digest_again", "UPDATE digest_pending SET first_seq = $3, due_at = now() + $4::int * interval '1 second' "
                     "WHERE user_id = $1 AND conversation_id = $2 RETURNING extract(epoch FROM due_at)::bigint"},
    {NULL, NULL},
};

/* Queues digest.send for (uid, cid) at unix time at, under key; in the caller's transaction.
 * *queued 0 when a job with this key exists already. */
static err_t dg_queue(svc *s, long long uid, long long cid, const char *key, long long at, int *queued)
{
    char payload[96];
    snprintf(payload, sizeof payload, "{\"user_id\":%lld,\"conversation_id\":%lld}", uid, cid);
    long long id = 0;
    err_t e = jobs_enqueue(s->db, "digest.send", payload, key, 0, &id);
    *queued = id != 0;
    if (e || !id) return e;
    const char *p[] = {id_str(s, id), id_str(s, at)};
    return db_run(s->db, "digest_run_at", 2, p);
}

/* Notes message seq of cid for uid: a new pending digest with its job, or the one pending. */
static err_t dg_note(svc *s, long long uid, long long cid, long long seq, long delay)
{
    const char *p[] = {id_str(s, uid), id_str(s, cid), id_str(s, seq), id_str(s, delay)};
    PGresult *r;
    err_t e = db_begin(s->db);
    if (!e) e = db_run(s->db, "digest_stale", 2, p);
    if (!e) e = db_exec(s->db, "digest_add", 4, p, &r);
    if (e) { db_rollback(s->db); return e; }
    int added = PQntuples(r) == 1;
    long long at = added ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    int queued = 1;
    if (!added) e = db_run(s->db, "digest_extend", 3, p);
    else e = dg_queue(s, uid, cid, arena_printf(s->a, "digest:%lld:%lld:%lld", uid, cid, seq), at, &queued);
    /* This run's job exists already (a second run after its digest went): nothing new. */
    if (!e && !queued) { db_rollback(s->db); return ERR_OK; }
    if (!e) e = db_commit(s->db);
    if (e) db_rollback(s->db);
    return e;
}

err_t digest_message_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *cj = json_object_get(payload, "conversation_id"), *sj = json_object_get(payload, "seq");
    json_t *uj = json_object_get(payload, "sender_id");
    if (!json_is_integer(cj) || !json_is_integer(sj)) {
        snprintf(why, whylen, "payload must be {\"conversation_id\": N, \"seq\": N, \"sender_id\": N}");
        return ERR_INVALID_FIELD;
    }
    long long cid = (long long)json_integer_value(cj), seq = (long long)json_integer_value(sj);
    const char *sender = json_is_integer(uj) ? id_str(s, (long long)json_integer_value(uj)) : NULL;
    const char *p[] = {id_str(s, cid), id_str(s, seq)};
    PGresult *m;
    err_t e = db_exec(s->db, "digest_msg", 2, p, &m);
    if (e) { snprintf(why, whylen, "loading the message: %s", err_lookup(e)->message); return e; }
    if (PQntuples(m) != 1 || PQgetvalue(m, 0, 2)[0] == 't' || !strcmp(PQgetvalue(m, 0, 1), "system")) {
        PQclear(m);                                      /* gone, deleted, or not a person's */
        return ERR_OK;
    }
    const char *body = arena_strdup(s->a, PQgetvalue(m, 0, 0));
    int e2e = PQgetvalue(m, 0, 4)[0] == 't';
    /* @all counts (in channels from owners and admins); @here is for who has Parley open now. */
    int everyone = !e2e && notify_everyone_allowed(PQgetvalue(m, 0, 3), PQgetisnull(m, 0, 5) ? NULL : PQgetvalue(m, 0, 5));
    PQclear(m);
    if (!body) return ERR_INTERNAL;
    int to_all = everyone && notify_mentions_all(s->a, body, strlen(body));
    const char *q[] = {p[0], sender, p[1]};
    PGresult *r;
    if ((e = db_exec(s->db, "digest_targets", 3, q, &r))) {
        snprintf(why, whylen, "finding the recipients: %s", err_lookup(e)->message);
        return e;
    }
    int noted = 0, unmentioned = 0;
    for (int i = 0; !e && i < PQntuples(r); i++) {
        if (!strcmp(PQgetvalue(r, i, 1), "mentions") && !to_all &&
            (e2e || !notify_mentions(s->a, body, strlen(body), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3)))) {
            unmentioned++;
            continue;
        }
        long delay = atol(PQgetvalue(r, i, 4)) * s->cfg->digest_minute;
        if ((e = dg_note(s, atoll(PQgetvalue(r, i, 0)), cid, seq, delay)))
            snprintf(why, whylen, "noting the digest: %s", err_lookup(e)->message);
        else noted++;
        runner_keepalive(s->db);
    }
    PQclear(r);
    log_info("digest: conversation %lld seq %lld: %d noted for mail, %d not mentioned", cid, seq, noted, unmentioned);
    return e;
}

/* The first DIGEST_EXCERPT_CHARS characters of body (arena), "…" when cut. */
static const char *dg_excerpt(arena *a, const char *body)
{
    size_t chars = 0, i = 0;
    for (; body[i]; i++)
        if (((unsigned char)body[i] & 0xc0) != 0x80 && chars++ == DIGEST_EXCERPT_CHARS) break;
    return body[i] ? arena_printf(a, "%.*s\xe2\x80\xa6", (int)i, body) : body;
}

/* Done with the digest up to last: its row goes, or (messages came meanwhile) it starts over
 * from last + 1 with a new job due in the person's delay. */
static err_t dg_finish(svc *s, long long uid, long long cid, long long last, long delay)
{
    const char *p[] = {id_str(s, uid), id_str(s, cid), id_str(s, last)};
    PGresult *r;
    err_t e = db_exec(s->db, "digest_done", 3, p, &r);
    if (e) return e;
    int gone = PQcmdTuples(r)[0] != '0';
    PQclear(r);
    if (gone) return ERR_OK;
    const char *q[] = {p[0], p[1], id_str(s, last + 1), id_str(s, delay)};
    if ((e = db_begin(s->db))) return e;
    if ((e = db_exec(s->db, "digest_again", 4, q, &r))) { db_rollback(s->db); return e; }
    int again = PQntuples(r) == 1;
    long long at = again ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    int queued = 1;
    if (again) e = dg_queue(s, uid, cid, arena_printf(s->a, "digest:%lld:%lld:%lld", uid, cid, last + 1), at, &queued);
    if (!e && !queued) e = dg_queue(s, uid, cid, arena_printf(s->a, "digest:%lld:%lld:%lld:%lld", uid, cid, last + 1,
                                                               (long long)time(NULL)), at, &queued);
    if (!e) e = db_commit(s->db);
    if (e) db_rollback(s->db);
    return e;
}

err_t digest_send_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *uj = json_object_get(payload, "user_id"), *cj = json_object_get(payload, "conversation_id");
    if (!json_is_integer(uj) || !json_is_integer(cj)) {
        snprintf(why, whylen, "payload must be {\"user_id\": N, \"conversation_id\": N}");
        return ERR_INVALID_FIELD;
    }
    long long uid = (long long)json_integer_value(uj), cid = (long long)json_integer_value(cj);
    const char *p[] = {id_str(s, uid), id_str(s, cid)};
    PGresult *r;
    err_t e = db_exec(s->db, "digest_load", 2, p, &r);
    if (e) { snprintf(why, whylen, "loading the digest: %s", err_lookup(e)->message); return e; }
    if (PQntuples(r) != 1 || PQgetvalue(r, 0, 14)[0] == 't') {   /* sent already, or held till later */
        PQclear(r);
        return ERR_OK;
    }
    if (PQgetvalue(r, 0, 5)[0] != 't' || !email_enabled(s->cfg)) {  /* muted, off, no address: nothing */
        PQclear(r);
        log_info("digest: account %lld conversation %lld: no longer wanted; nothing sent", uid, cid);
        return db_run(s->db, "digest_drop", 2, p);
    }
    if (PQgetvalue(r, 0, 8)[0] == 't') {                           /* do-not-disturb: held until it ends */
        long long until = atoll(PQgetvalue(r, 0, 9)), first = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        const char *q[] = {p[0], p[1], id_str(s, until)};
        int queued = 0;
        if (!(e = db_begin(s->db)) && !(e = db_run(s->db, "digest_hold", 3, q)) &&
            !(e = dg_queue(s, uid, cid, arena_printf(s->a, "digest:%lld:%lld:%lld:held:%lld", uid, cid, first, until),
                           until, &queued)))
            e = db_commit(s->db);
        if (e) { db_rollback(s->db); snprintf(why, whylen, "holding the digest: %s", err_lookup(e)->message); }
        else log_info("digest: account %lld conversation %lld: held until do-not-disturb ends", uid, cid);
        return e;
    }
    long long first = atoll(PQgetvalue(r, 0, 0)), last = atoll(PQgetvalue(r, 0, 1)), read = atoll(PQgetvalue(r, 0, 13));
    const char *to = arena_strdup(s->a, PQgetvalue(r, 0, 2)), *name = arena_strdup(s->a, PQgetvalue(r, 0, 3));
    const char *username = arena_strdup(s->a, PQgetvalue(r, 0, 4)), *level = arena_strdup(s->a, PQgetvalue(r, 0, 6));
    const char *keywords = arena_strdup(s->a, PQgetvalue(r, 0, 7)), *kind = arena_strdup(s->a, PQgetvalue(r, 0, 10));
    const char *title = arena_strdup(s->a, PQgetvalue(r, 0, 11)), *tz = arena_strdup(s->a, PQgetvalue(r, 0, 15));
    int e2e = PQgetvalue(r, 0, 12)[0] == 't';
    long delay = atol(PQgetvalue(r, 0, 16)) * s->cfg->digest_minute;
    const char *h24 = PQgetvalue(r, 0, 17)[0] == 't' ? "true" : "false";   /* the person's clock, as on pages */
    PQclear(r);
    if (!to || !name || !username || !level || !keywords || !kind || !title || !tz) return ERR_INTERNAL;
    int direct = !strcmp(kind, "direct"), mentions_only = !strcmp(level, "mentions");
    const char *q[] = {p[1], id_str(s, first > read ? first : read + 1), id_str(s, last), p[0], tz, h24};
    if ((e = db_exec(s->db, "digest_msgs", 6, q, &r))) {
        snprintf(why, whylen, "loading the messages: %s", err_lookup(e)->message);
        return e;
    }
    json_t *list = json_array();
    int count = 0;
    const char *first_sender = NULL;
    for (int i = 0; list && i < PQntuples(r); i++) {
        const char *body = PQgetvalue(r, i, 2);
        int all = notify_everyone_allowed(kind, PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4)) &&
                  notify_mentions_all(s->a, body, strlen(body));
        if (mentions_only && (e2e || (!all &&
                                      !notify_mentions(s->a, body, strlen(body), username, keywords))))
            continue;                                   /* it did not notify them */
        if (!first_sender) first_sender = arena_strdup(s->a, PQgetvalue(r, i, 1));
        if (++count > DIGEST_MAX_MESSAGES) continue;
        json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "sender", *PQgetvalue(r, i, 1) ? PQgetvalue(r, i, 1) : "Someone",
                                              "time", PQgetvalue(r, i, 3),
                                              "text", e2e ? "(end-to-end encrypted: open Parley to read it)"
                                                          : dg_excerpt(s->a, body)));
    }
    PQclear(r);
    if (!list) return ERR_INTERNAL;
    if (!count) {                                       /* all read meanwhile: no mail */
        json_decref(list);
        log_info("digest: account %lld conversation %lld: all read; nothing sent", uid, cid);
        return dg_finish(s, uid, cid, last, delay);
    }
    const char *from_name, *from_addr, *unsub = digest_unsubscribe_url(s, uid);
    if (mail_from_parse(s->a, s->cfg->mail_from, &from_name, &from_addr) || !unsub) {
        json_decref(list);
        snprintf(why, whylen, !unsub ? "no unsubscribe key (run parley migrate)" : "PARLEY_MAIL_FROM is not an address");
        return ERR_INVALID_FIELD;
    }
    const char *where = direct || !*title ? (first_sender && *first_sender ? first_sender : "Parley") : title;
    const char *subject = direct ? (count == 1 ? arena_printf(s->a, "New message from %s", where)
                                               : arena_printf(s->a, "%d new messages from %s", count, where))
                                 : (count == 1 ? arena_printf(s->a, "New message in %s", where)
                                               : arena_printf(s->a, "%d new messages in %s", count, where));
    json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:b,s:o,s:i,s:i,s:o,s:o,s:s}", "name", name, "site", s->cfg->public_url,
                             "subject", subject, "conversation", where, "direct", direct,
                             "link", json_sprintf("%s/conversations/%lld", s->cfg->public_url, cid), "count", count,
                             "more", count > DIGEST_MAX_MESSAGES ? count - DIGEST_MAX_MESSAGES : 0,
                             "settings", json_sprintf("%s/push/subscriptions", s->cfg->public_url), "messages", list,
                             "unsubscribe", unsub);
    char id[33];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
    buf text, html, msg;
    buf_init(&text);
    buf_init(&html);
    buf_init(&msg);
    e = data ? ERR_OK : ERR_INTERNAL;
    if (!e) e = mail_render(s->cfg, "digest", "txt", data, &text);
    if (!e) e = mail_render(s->cfg, "digest", "html", data, &html);
    json_decref(data);
    if (e) snprintf(why, whylen, "rendering templates/mail/digest: %s", err_lookup(e)->message);
    mail_msg mm = {.from_name = from_name, .from_addr = from_addr, .to_name = name, .to_addr = to, .subject = subject,
                   .text = buf_str(&text), .html = buf_str(&html), .id = id, .date = (long long)time(NULL),
                   .list_unsubscribe = unsub};
    if (!e && (e = mail_build(&mm, &msg))) snprintf(why, whylen, "building the message: %s", err_lookup(e)->message);
    if (!e) e = mail_smtp(s->cfg, from_addr, to, &msg, why, whylen);
    buf_free(&text);
    buf_free(&html);
    buf_free(&msg);
    if (e) return e;
    log_info("digest: account %lld conversation %lld: %d messages mailed", uid, cid, count);
    if ((e = dg_finish(s, uid, cid, last, delay))) log_warn("digest: account %lld conversation %lld: sent, but not recorded", uid, cid);
    return ERR_OK;
}
