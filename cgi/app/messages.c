/* messages.c — the message store (gap-free seq per conversation, idempotent sends, history
 * pages, edits, tombstones, reactions, read positions) and its handlers. */
#include "module.h"
#include "../store/pgarr.h"
#include "../core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "requests.h"
#include "notify.h"
#include "push.h"
#include "e2emsg.h"
#include "media.h"
#include "events.h"
#include "format.h"
#include "users.h"
#include "people.h"
#include "../core/utf8.h"
#include "../core/emoji.h"
#include "previews.h"
#include "../core/num.h"
#include "send_jobs.h"
#include "mentions.h"
#include "../worker/jobs.h"
#include "../store/dbgroup.h"

#define MSG_FROM " FROM messages m " MSG_JOINS " WHERE m.conversation_id = $1 "

enum { PAGE_DEFAULT = 50, PAGE_MAX = 200 };

/* The sending statements' common part: takes the conversation's row lock by incrementing
 * last_seq, checks (atomically) that the sender may still post, inserts with that seq, and
 * moves the sender's read position. Commit order therefore equals seq order. sender_name is
 * the parameter the message's sender_name is bound to. */
#define MSG_INSERT_CORE(sender_name) \
    "WITH c AS (UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = now() " \
    "WHERE id = $1 AND ($6::boolean OR EXISTS (SELECT 1 FROM members mm WHERE mm.conversation_id = $1 " \
    "AND mm.user_id = $2 AND (conversations.kind <> 'channel' OR mm.role IN ('owner', 'admin')) " \
    /* and no block placed since the caller loaded the conversation */ \
    "AND (conversations.kind <> 'direct' OR NOT EXISTS (SELECT 1 FROM members o JOIN blocks b " \
    "ON (b.user_id = o.user_id AND b.blocked_id = $2) OR (b.user_id = $2 AND b.blocked_id = o.user_id) " \
    "WHERE o.conversation_id = $1 AND o.user_id <> $2)))) " \
    "RETURNING last_seq, member_epoch), " \
    "rd AS (UPDATE members SET read_seq = c.last_seq FROM c WHERE conversation_id = $1 AND user_id = $2), " \
    "ins AS (INSERT INTO messages (conversation_id, seq, sender_id, kind, body, client_id, reply_to_seq, " \
    "sender_name) SELECT $1::bigint, c.last_seq, $2::bigint, $3, $4, $5::uuid, $7::bigint, " sender_name " FROM c " \
    "RETURNING " MSG_SENT_RETURNING "), " \
    /* its files, in the order given */ \
    "att AS (INSERT INTO message_media (conversation_id, seq, position, media_id) " \
    "SELECT $1::bigint, ins.seq, f.ord, f.id FROM ins, unnest($8::bigint[]) WITH ORDINALITY AS f(id, ord)), " \
    /* its event, in the same statement: a stored message is always announced */ \
    "ev AS (INSERT INTO event_log (id, type, conv_id, msg_seq) " \
    "SELECT nextval('event_ids'), 'message.created', $1::bigint, ins.seq FROM ins RETURNING id)"

/* The optional parts of the sending statement (send_jobs.h, mentions.h), each a CTE the C
 * side includes only when it may apply: a statement that names fewer relations plans faster
 * and takes fewer locks (beyond 16, PostgreSQL's shared lock table, contended under load).
 * Jobs commit with the message or not at all. $9 push delay: one job when another member has
 * a subscription, after the delay (read by then: not pushed). */
#define MSG_PART_PUSH \
    ", pj AS (INSERT INTO jobs (kind, payload, idem_key, run_after) " \
    "SELECT 'push.message', jsonb_build_object('conversation_id', $1::bigint, 'seq', ins.seq), " \
    "'push:' || $1::bigint || ':' || ins.seq, now() + $9::int * interval '1 second' FROM ins " \
    "WHERE $9::int IS NOT NULL AND EXISTS (SELECT 1 FROM members pm JOIN push_subscriptions ps " \
    "ON ps.user_id = pm.user_id WHERE pm.conversation_id = $1 AND pm.user_id <> $2) " \
    "ON CONFLICT (idem_key) DO NOTHING RETURNING id)"
/* $10 digests on: one job when another member could get a digest. */
#define MSG_PART_DIGEST \
    ", dj AS (INSERT INTO jobs (kind, payload, idem_key) " \
    "SELECT 'digest.message', jsonb_build_object('conversation_id', $1::bigint, 'seq', ins.seq, " \
    "'sender_id', $2::bigint), 'digest:' || $1::bigint || ':' || ins.seq FROM ins " \
    "WHERE $10::boolean AND EXISTS (SELECT 1 FROM members dm JOIN users du ON du.id = dm.user_id " \
    "LEFT JOIN notify_prefs np ON np.user_id = dm.user_id WHERE dm.conversation_id = $1 " \
    "AND dm.user_id <> $2 AND du.email_verified_at IS NOT NULL AND du.deactivated_at IS NULL " \
    "AND coalesce(np.email_digests, true)) ON CONFLICT (idem_key) DO NOTHING RETURNING id)"
/* $11 the first word, $12 the @names: a job per outgoing webhook without a condition, or whose
 * trigger word starts the message, or (when it wants mentions) whose bot is mentioned:
 * hooks_out_triggered, in SQL. */
#define MSG_PART_HOOKS \
    ", hj AS (INSERT INTO jobs (kind, payload, idem_key) " \
    "SELECT 'hook.send', jsonb_build_object('webhook_id', w.id, 'conversation_id', $1::bigint, " \
    "'seq', ins.seq), 'hook:' || w.id || ':' || $1::bigint || ':' || ins.seq " \
    "FROM ins, outgoing_webhooks w JOIN users wu ON wu.id = w.bot_id " \
    "WHERE $11::text IS NOT NULL AND w.conversation_id = $1 AND ((w.trigger_word IS NULL AND NOT w.mentions_only) " \
    "OR translate(w.trigger_word, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = $11 " \
    "OR (w.mentions_only AND lower(wu.username) = ANY ($12::text[]))) " \
    "ON CONFLICT (idem_key) DO NOTHING RETURNING id)"
/* $13 the first link: linked to its preview; fetched when the cache has none fresh. */
#define MSG_PART_PREVIEW \
    ", pl AS (INSERT INTO message_previews (conversation_id, seq, url) SELECT $1::bigint, ins.seq, $13 " \
    "FROM ins WHERE $13::text IS NOT NULL ON CONFLICT DO NOTHING), " \
    "pc AS (INSERT INTO link_previews (url) SELECT $13 FROM ins WHERE $13::text IS NOT NULL " \
    "ON CONFLICT (url) DO UPDATE SET status = 'pending', expires_at = now() + interval '1 hour' " \
    "WHERE link_previews.expires_at < now() RETURNING url), " \
    "fj AS (INSERT INTO jobs (kind, payload, max_attempts) " \
    "SELECT 'preview.fetch', jsonb_build_object('url', pc.url), 3 FROM pc RETURNING id)"
/* Its mentions: $15 the @names, $16 whether @all and @here count. */
#define MSG_PART_MENTIONS \
    ", mn AS (INSERT INTO mentions (user_id, conversation_id, seq, message_id, kind) " \
    "SELECT w.id, $1::bigint, ins.seq, ins.id, w.kind FROM ins, (" MENTIONS_WANT("$15", "$16", "$2::bigint") \
    ") w (id, kind))"
/* Every optional parameter typed once (an unread CTE is not run), so each variant takes the
 * same 17 parameters whichever parts it has. */
#define MSG_PARAMS ", prm AS (SELECT $9::int, $10::boolean, $11::text, $12::text[], $13::text, $15::text[], $16::boolean)"
/* Wakes the workers as jobs_enqueue does, only when no other job is ready; any: the EXISTS of
 * the job parts present. */
#define MSG_WAKE(any) ", wake AS (SELECT pg_notify('" JOBS_CHANNEL "', '') WHERE (" any ") " \
    "AND NOT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued' AND run_after <= now())) "
#define MSG_WAKE_PUSH "EXISTS (SELECT 1 FROM pj)"
#define MSG_WAKE_DIGEST "EXISTS (SELECT 1 FROM dj)"
#define MSG_WAKE_HOOKS "EXISTS (SELECT 1 FROM hj)"
#define MSG_WAKE_PREVIEW "EXISTS (SELECT 1 FROM fj)"
/* What the answer and the event need of the row inserted (MSG_COLS and MSG_JOINS read it
 * as "m"), so that neither reads it again. */
#define MSG_SENT_RETURNING "id, seq, conversation_id, kind, body, created_at, edited_at, deleted_at, client_id, " \
    "sender_id, reply_to_seq, removed_by, e2e_device, ciphertext, sender_name"
/* Its files, from $8, in the order the att part attached them. */
#define MSG_SENT_ATTACH "(SELECT " MSG_ATTACH_AGG("f.ord") " FROM unnest($8::bigint[]) WITH ORDINALITY AS f(id, ord) " \
    "JOIN media x ON x.id = f.id)"
/* The seq, the event id, the member epoch (sql/030) its publication is addressed with, whether
 * the workers were woken, then the message (MSG_COLS from column MSG_SENT_COL) when the
 * parameter want is true, NULLs when not: only msg_send_json's callers use it (an encrypted
 * message is completed after this statement, a broadcast or a bot's post answers no one). */
#define MSG_RETURN(woke, want) " SELECT m.seq, ev.id, c.member_epoch, " woke ", mc.* FROM ins m CROSS JOIN ev CROSS JOIN c " \
    "LEFT JOIN LATERAL (SELECT " MSG_COLS_WITH(MSG_SENT_ATTACH) " FROM (SELECT 1) one " MSG_JOINS \
    " WHERE " want "::boolean) mc ON true"
enum { MSG_SENT_COL = 4 };
/* A variant with job parts: the common part, the parts, the wake-up over `any`. */
#define MSG_JOBS(parts, any) MSG_INSERT_CORE("$14") MSG_PARAMS parts MSG_WAKE(any) \
    MSG_RETURN("(SELECT count(*) FROM wake)", "$17")

const db_stmt msg_stmts[] = {
    /* A message no job or mention can follow from (send_jobs_params and mentions_params gave
     * nothing, the usual case): the common part alone, ten parameters. */
    {"msg_insert", MSG_INSERT_CORE("$9") MSG_RETURN("0", "$10")},
    /* msg_insert_<mask>: with the parts of mask, bit 0 push, 1 digest, 2 webhooks, 3 preview,
     * 4 mentions (msg_send_as sets a bit when that part's parameter is given). */
    {"msg_insert_1", MSG_JOBS(MSG_PART_PUSH, MSG_WAKE_PUSH)},
    {"msg_insert_2", MSG_JOBS(MSG_PART_DIGEST, MSG_WAKE_DIGEST)},
    {"msg_insert_3", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST, MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST)},
    {"msg_insert_4", MSG_JOBS(MSG_PART_HOOKS, MSG_WAKE_HOOKS)},
    {"msg_insert_5", MSG_JOBS(MSG_PART_PUSH MSG_PART_HOOKS, MSG_WAKE_PUSH " OR " MSG_WAKE_HOOKS)},
    {"msg_insert_6", MSG_JOBS(MSG_PART_DIGEST MSG_PART_HOOKS, MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS)},
    {"msg_insert_7", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST MSG_PART_HOOKS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS)},
    {"msg_insert_8", MSG_JOBS(MSG_PART_PREVIEW, MSG_WAKE_PREVIEW)},
    {"msg_insert_9", MSG_JOBS(MSG_PART_PUSH MSG_PART_PREVIEW, MSG_WAKE_PUSH " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_10", MSG_JOBS(MSG_PART_DIGEST MSG_PART_PREVIEW, MSG_WAKE_DIGEST " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_11", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST MSG_PART_PREVIEW,
             MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_12", MSG_JOBS(MSG_PART_HOOKS MSG_PART_PREVIEW, MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_13", MSG_JOBS(MSG_PART_PUSH MSG_PART_HOOKS MSG_PART_PREVIEW,
             MSG_WAKE_PUSH " OR " MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_14", MSG_JOBS(MSG_PART_DIGEST MSG_PART_HOOKS MSG_PART_PREVIEW,
             MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_15", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST MSG_PART_HOOKS MSG_PART_PREVIEW,
             MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_16", MSG_INSERT_CORE("$14") MSG_PARAMS MSG_PART_MENTIONS MSG_RETURN("0", "$17")},
    {"msg_insert_17", MSG_JOBS(MSG_PART_PUSH MSG_PART_MENTIONS, MSG_WAKE_PUSH)},
    {"msg_insert_18", MSG_JOBS(MSG_PART_DIGEST MSG_PART_MENTIONS, MSG_WAKE_DIGEST)},
    {"msg_insert_19", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST MSG_PART_MENTIONS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST)},
    {"msg_insert_20", MSG_JOBS(MSG_PART_HOOKS MSG_PART_MENTIONS, MSG_WAKE_HOOKS)},
    {"msg_insert_21", MSG_JOBS(MSG_PART_PUSH MSG_PART_HOOKS MSG_PART_MENTIONS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_HOOKS)},
    {"msg_insert_22", MSG_JOBS(MSG_PART_DIGEST MSG_PART_HOOKS MSG_PART_MENTIONS,
             MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS)},
    {"msg_insert_23", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST MSG_PART_HOOKS MSG_PART_MENTIONS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS)},
    {"msg_insert_24", MSG_JOBS(MSG_PART_PREVIEW MSG_PART_MENTIONS, MSG_WAKE_PREVIEW)},
    {"msg_insert_25", MSG_JOBS(MSG_PART_PUSH MSG_PART_PREVIEW MSG_PART_MENTIONS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_26", MSG_JOBS(MSG_PART_DIGEST MSG_PART_PREVIEW MSG_PART_MENTIONS,
             MSG_WAKE_DIGEST " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_27", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST MSG_PART_PREVIEW MSG_PART_MENTIONS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_28", MSG_JOBS(MSG_PART_HOOKS MSG_PART_PREVIEW MSG_PART_MENTIONS,
             MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_29", MSG_JOBS(MSG_PART_PUSH MSG_PART_HOOKS MSG_PART_PREVIEW MSG_PART_MENTIONS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_30", MSG_JOBS(MSG_PART_DIGEST MSG_PART_HOOKS MSG_PART_PREVIEW MSG_PART_MENTIONS,
             MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_insert_31", MSG_JOBS(MSG_PART_PUSH MSG_PART_DIGEST MSG_PART_HOOKS MSG_PART_PREVIEW MSG_PART_MENTIONS,
             MSG_WAKE_PUSH " OR " MSG_WAKE_DIGEST " OR " MSG_WAKE_HOOKS " OR " MSG_WAKE_PREVIEW)},
    {"msg_by_client", "SELECT m.seq, (SELECT e.id FROM event_log e WHERE e.conv_id = m.conversation_id AND e.msg_seq = m.seq) "
                      "FROM messages m WHERE m.conversation_id = $1 AND m.sender_id = $2 AND m.client_id = $3::uuid"},
    {"msg_event_id", "SELECT id FROM event_log WHERE conv_id = $1 AND msg_seq = $2"},
    {"msg_meta", "SELECT kind, sender_id, deleted_at IS NOT NULL FROM messages WHERE conversation_id = $1 AND seq = $2"},
    {"msg_one", "SELECT " MSG_COLS MSG_FROM "AND m.seq = $2"},
    /* A page is the seqs $2..$3 (seqs have no gaps and rows are never deleted). Written as
     * "= ANY (an array made at run time)" so that PostgreSQL estimates every page the same,
     * plans the statement once and keeps that plan: with "seq < $2 LIMIT $3" it planned anew
     * on every page, which cost more than running it. */
    {"msg_range", "SELECT " MSG_COLS MSG_FROM "AND m.seq = ANY (ARRAY(SELECT generate_series($2::bigint, $3::bigint))) "
                  "ORDER BY m.seq"},
    {"msg_reactions", "SELECT r.seq, r.emoji, count(*), string_agg(u.username, ' ' ORDER BY r.created_at), "
                      "bool_or(r.user_id = $4), array_to_json(array_agg(u.display_name ORDER BY r.created_at)) "
                      "FROM reactions r JOIN users u ON u.id = r.user_id "
                      "WHERE r.conversation_id = $1 AND r.seq BETWEEN $2 AND $3 GROUP BY r.seq, r.emoji "
                      "ORDER BY r.seq, min(r.created_at)"},
    /* An edit rewrites the message's mentions ($4 the new @names, $5 whether @all and @here count). */
    {"msg_edit", "WITH u AS (UPDATE messages SET body = $3, edited_at = now() WHERE conversation_id = $1 AND seq = $2 "
                 "AND deleted_at IS NULL AND kind = 'text' RETURNING id, sender_id), "
                 "want AS (SELECT w.id, w.kind, u.id AS message_id FROM u, LATERAL (" MENTIONS_WANT("$4", "$5", "u.sender_id")
                 ") w (id, kind)), "
                 "gone AS (DELETE FROM mentions x WHERE x.conversation_id = $1 AND x.seq = $2 AND EXISTS (SELECT 1 FROM u) "
                 "AND x.user_id NOT IN (SELECT id FROM want)), "
                 "put AS (INSERT INTO mentions (user_id, conversation_id, seq, message_id, kind) "
                 "SELECT id, $1::bigint, $2::bigint, message_id, kind FROM want "
                 "ON CONFLICT (user_id, conversation_id, seq) DO UPDATE SET kind = EXCLUDED.kind) "
                 "SELECT count(*) FROM u"},
    {"msg_delete", "WITH x AS (DELETE FROM reactions WHERE conversation_id = $1 AND seq = $2), "
                   "f AS (DELETE FROM message_media WHERE conversation_id = $1 AND seq = $2), "
                   "envs AS (DELETE FROM e2e_envelopes WHERE conversation_id = $1 AND seq = $2), "
                   "mn AS (DELETE FROM mentions WHERE conversation_id = $1 AND seq = $2) "
                   "UPDATE messages SET body = NULL, ciphertext = NULL, deleted_at = now(), edited_at = NULL "
                   "WHERE conversation_id = $1 AND seq = $2 AND deleted_at IS NULL"},
    {"msg_react", "WITH d AS (DELETE FROM reactions WHERE conversation_id = $1 AND seq = $2 AND user_id = $3 "
                  "AND emoji = $4 RETURNING 1) INSERT INTO reactions (conversation_id, seq, user_id, emoji) "
                  "SELECT $1::bigint, $2::bigint, $3::bigint, $4 WHERE NOT EXISTS (SELECT 1 FROM d)"},
    {"msg_read", "UPDATE members m SET read_seq = GREATEST(m.read_seq, LEAST($3::bigint, c.last_seq)) "
                 "FROM conversations c WHERE c.id = m.conversation_id AND m.conversation_id = $1 AND m.user_id = $2 "
                 "RETURNING m.read_seq"},
    {"msg_delivered", "UPDATE members m SET delivered_seq = GREATEST(m.delivered_seq, LEAST($3::bigint, c.last_seq)) "
                      "FROM conversations c WHERE c.id = m.conversation_id AND m.conversation_id = $1 AND m.user_id = $2 "
                      "RETURNING m.delivered_seq, (SELECT delivered_seq FROM members WHERE conversation_id = $1 AND user_id = $2)"},
    /* Everyone else in the conversation with their positions; receipts only from those who share them. */
    {"msg_receipts", "SELECT u.display_name, m.read_seq, m.delivered_seq, u.read_receipts FROM members m "
                     "JOIN users u ON u.id = m.user_id WHERE m.conversation_id = $1 AND m.user_id <> $2 "
                     "ORDER BY m.read_seq DESC, u.id LIMIT 257"},
    {"msg_unread", "SELECT count(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = $1 AND x.seq > $3 "
                   "AND x.kind = 'text' AND x.deleted_at IS NULL AND x.sender_id IS DISTINCT FROM $2 LIMIT 1000) z"},
    {NULL, NULL},
};

/* The sender at col, or "Deleted account" (id 0) when the account is gone: the history
 * stays readable. */
static json_t *msg_sender_json(PGresult *r, int i, int col)
{
    if (!PQgetisnull(r, i, col)) return users_ref_json(r, i, col);
    return json_pack("{s:i,s:s,s:s,s:n,s:b}", "id", 0, "username", "", "display_name", "Deleted account", "avatar_url", "bot", 0);
}

json_t *msg_row_json(svc *c, PGresult *r, int i, int col, long long conv_id, const user_row *reader)
{
#define V(k) PQgetvalue(r, i, col + (k))
#define NUL(k) PQgetisnull(r, i, col + (k))
    int deleted = V(MC_DELETED)[0] == 't';
    const char *body = NUL(MC_BODY) ? NULL : V(MC_BODY);
    size_t blen = body ? strlen(body) : 0;
    const char *viewer = reader ? reader->username : NULL;
    int mentions_me = 0;
    const char *html = body && !deleted ? fmt_message(c->a, body, blen, viewer, &mentions_me) : "";
    json_t *m = json_pack("{s:I,s:I,s:I,s:s,s:o,s:o,s:s,s:s,s:o,s:b,s:o,s:o,s:b,s:[]}",
                          "id", (json_int_t)atoll(V(MC_ID)), "conversation_id", (json_int_t)conv_id,
                          "seq", (json_int_t)atoll(V(MC_SEQ)), "kind", V(MC_KIND),
                          "sender", msg_sender_json(r, i, col + MC_SENDER),
                          "body", body && !deleted ? json_string(body) : json_null(),
                          "html", html ? html : "", "created_at", V(MC_CREATED),
                          "edited_at", NUL(MC_EDITED) ? json_null() : json_string(V(MC_EDITED)),
                          "deleted", deleted, "client_id", NUL(MC_CLIENT_ID) ? json_null() : json_string(V(MC_CLIENT_ID)),
                          "reply_to", json_null(), "mentions_me", mentions_me, "reactions");
    json_t *att = !deleted && !NUL(MC_ATTACH) ? json_loads(V(MC_ATTACH), 0, NULL) : NULL;
    for (size_t k = 0; k < json_array_size(att); k++) media_json_urls(json_array_get(att, k));
    if (m) json_object_set_new(m, "attachments", json_is_array(att) ? att : json_array());
    if (m) json_object_set_new(m, "removed", json_boolean(deleted && V(MC_REMOVED)[0] == 't'));
    else json_decref(att);
    /* A webhook post's own name: shown beside its bot, never instead of it (API.md). */
    if (m) json_object_set_new(m, "sender_name", NUL(MC_SENDER_NAME) ? json_null() : json_string(V(MC_SENDER_NAME)));
    if (m) json_object_set_new(m, "e2e", NUL(MC_E2E_DEVICE) ? json_null()
                               : e2emsg_row_json(c, deleted, V(MC_E2E_DEVICE), NUL(MC_E2E_GROUP) ? NULL : V(MC_E2E_GROUP)));
    if (m && !NUL(MC_REPLY_SEQ)) {
        int rdel = NUL(MC_REPLY_DELETED) || V(MC_REPLY_DELETED)[0] == 't';
        const char *rb = NUL(MC_REPLY_BODY) ? "" : V(MC_REPLY_BODY);
        json_object_set_new(m, "reply_to", json_pack("{s:I,s:o,s:s,s:b}", "seq", (json_int_t)atoll(V(MC_REPLY_SEQ)),
                            "sender", msg_sender_json(r, i, col + MC_REPLY_SENDER),
                            "excerpt", rdel ? "" : fmt_excerpt(c->a, rb, strlen(rb), 120), "deleted", rdel));
        const char *qh = rdel ? "" : fmt_quote(c->a, rb, strlen(rb), 120);     /* the quote, formatted */
        json_t *rt = json_object_get(m, "reply_to");
        if (json_is_object(rt)) json_object_set_new(rt, "excerpt_html", json_string(qh ? qh : ""));
    }
    return m;
#undef V
#undef NUL
}

/* Adds the reactions of messages lo..hi to the messages in arr (ascending by seq); "me" is
 * the reader's own, left out when reader is NULL. */
static err_t add_reactions(svc *c, long long conv_id, json_t *arr, const user_row *reader)
{
    size_t n = json_array_size(arr);
    if (!n) return ERR_OK;
    long long lo = json_integer_value(json_object_get(json_array_get(arr, 0), "seq"));
    long long hi = json_integer_value(json_object_get(json_array_get(arr, n - 1), "seq"));
    const char *p[] = {id_str(c, conv_id), id_str(c, lo), id_str(c, hi), id_str(c, reader ? reader->id : 0)};
    PGresult *r;
    err_t e = db_exec(c->db, "msg_reactions", 4, p, &r);
    if (e) return e;
    size_t k = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        long long seq = atoll(PQgetvalue(r, i, 0));
        while (k < n && json_integer_value(json_object_get(json_array_get(arr, k), "seq")) < seq) k++;
        if (k == n) break;
        json_t *m = json_array_get(arr, k);
        if (json_integer_value(json_object_get(m, "seq")) != seq) continue;
        json_t *users = json_array();
        char *names = arena_strdup(c->a, PQgetvalue(r, i, 3)), *save = NULL;
        for (char *t = names ? strtok_r(names, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
            json_array_append_new(users, json_string(t));
        json_t *one = json_pack("{s:s,s:I,s:o}", "emoji", PQgetvalue(r, i, 1),
                                "count", (json_int_t)atoll(PQgetvalue(r, i, 2)), "users", users);
        if (one && reader) json_object_set_new(one, "me", json_boolean(PQgetvalue(r, i, 4)[0] == 't'));
        json_t *shown = json_loads(PQgetvalue(r, i, 5), 0, NULL);     /* display names, for tooltips */
        if (one) json_object_set_new(one, "names", json_is_array(shown) ? shown : json_array());
        else json_decref(shown);
        json_array_append_new(json_object_get(m, "reactions"), one);
    }
    PQclear(r);
    return ERR_OK;
}

static err_t msg_get_as(svc *c, long long conv_id, long long seq, const user_row *reader, json_t **out)
{
    const char *p[] = {id_str(c, conv_id), id_str(c, seq)};
    PGresult *r;
    err_t e = db_exec(c->db, "msg_one", 2, p, &r);
    if (e) return e;
    if (!PQntuples(r)) { PQclear(r); return svc_fail(c, ERR_NOT_FOUND, NULL, "There is no such message."); }
    json_t *arr = json_array();
    json_array_append_new(arr, msg_row_json(c, r, 0, 0, conv_id, reader));
    PQclear(r);
    if ((e = add_reactions(c, conv_id, arr, reader)) || (e = e2emsg_attach(c, conv_id, arr, reader)) ||
        (e = preview_attach(c, conv_id, arr))) {
        json_decref(arr);
        return e;
    }
    *out = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return *out ? ERR_OK : ERR_INTERNAL;
}

enum { RECEIPT_MAX_MEMBERS = 256, RECEIPT_NAMES = 10 };

/* Adds "receipt" to the viewer's own text messages in arr: "sent", "delivered" (someone's
 * client has it) or "read", with read_by / delivered_to / of and up to ten reader names.
 * Skipped for conversations over RECEIPT_MAX_MEMBERS and for viewers who keep receipts
 * off (who then see none, as they share none). */
static err_t add_receipts(svc *c, long long conv_id, json_t *arr)
{
    if (!c->user || !c->user->read_receipts || !json_array_size(arr)) return ERR_OK;
    const char *p[] = {id_str(c, conv_id), id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "msg_receipts", 2, p, &r);
    if (e) return e;
    int n = PQntuples(r);
    if (n > RECEIPT_MAX_MEMBERS) { PQclear(r); return ERR_OK; }
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m) {
        json_t *sender = json_object_get(m, "sender");
        if (!json_is_object(sender) || json_integer_value(json_object_get(sender, "id")) != c->user->id ||
            strcmp(json_string_value(json_object_get(m, "kind")), "text") || json_is_true(json_object_get(m, "deleted")))
            continue;
        long long seq = json_integer_value(json_object_get(m, "seq"));
        long long read = 0, delivered = 0;
        json_t *names = json_array();
        for (int k = 0; k < n; k++) {
            int shares = PQgetvalue(r, k, 3)[0] == 't';
            int has_read = shares && atoll(PQgetvalue(r, k, 1)) >= seq;
            if (has_read) {
                read++;
                if (json_array_size(names) < RECEIPT_NAMES) json_array_append_new(names, json_string(PQgetvalue(r, k, 0)));
            }
            if (has_read || atoll(PQgetvalue(r, k, 2)) >= seq || (!shares && atoll(PQgetvalue(r, k, 1)) >= seq))
                delivered++;
        }
        json_object_set_new(m, "receipt", json_pack("{s:s,s:I,s:I,s:i,s:o}",
                            "state", n && read == n ? "read" : delivered ? "delivered" : "sent",
                            "read_by", (json_int_t)read, "delivered_to", (json_int_t)delivered, "of", n, "readers", names));
    }
    PQclear(r);
    return ERR_OK;
}

/* A message just stored, as its sender sees it (*mine) and for nobody in particular
 * (*neutral, for its event), from one read of its row; a new message has no reactions yet. */
static err_t msg_get_new(svc *c, long long conv_id, long long seq, json_t **mine, json_t **neutral)
{
    const char *p[] = {id_str(c, conv_id), id_str(c, seq)};
    PGresult *r;
    err_t e = db_exec(c->db, "msg_one", 2, p, &r);
    if (e) return e;
    if (!PQntuples(r)) { PQclear(r); return svc_fail(c, ERR_NOT_FOUND, NULL, "There is no such message."); }
    *mine = msg_row_json(c, r, 0, 0, conv_id, c->user);
    *neutral = msg_row_json(c, r, 0, 0, conv_id, NULL);
    PQclear(r);
    json_t *one = json_pack("[O]", *mine);               /* the sender's own devices' envelopes */
    if (one && *neutral && !e2emsg_attach(c, conv_id, one, c->user)) { json_decref(one); return ERR_OK; }
    json_decref(one);
    json_decref(*mine);
    json_decref(*neutral);
    return ERR_INTERNAL;
}

err_t msg_get(svc *c, long long conv_id, long long seq, json_t **out) { return msg_get_as(c, conv_id, seq, c->user, out); }
err_t msg_get_neutral(svc *c, long long conv_id, long long seq, json_t **out) { return msg_get_as(c, conv_id, seq, NULL, out); }

/* The seqs [*lo, *hi] of the page cur asks for in cv, the same rows "the limit newest below
 * before", "the limit oldest above after" and so on would give, since seqs have no gaps and
 * cv->last_seq is the newest. Empty when *lo > *hi. */
static void page_range(const conv *cv, const msg_cursor *cur, long long limit, long long *lo, long long *hi)
{
    long long last = cv->last_seq;
    if (cur->around) {                       /* limit/2 + 1 up to around, the rest after it */
        long long top = cur->around < last ? cur->around : last;
        *lo = top - (limit / 2 + 1) + 1;
        if (*lo < 1) *lo = 1;
        *hi = *lo + limit - 1;
    } else if (cur->from_start || cur->after) {
        *lo = cur->after + 1;
        *hi = cur->after > last - limit ? last : cur->after + limit;
    } else {                                 /* before (none: the newest) */
        *hi = cur->before && cur->before <= last ? cur->before - 1 : last;
        *lo = *hi - limit + 1;
    }
    if (*lo < 1) *lo = 1;
    if (*hi > last) *hi = last;
}

err_t msg_page(svc *c, const conv *cv, const msg_cursor *cur, json_t **out)
{
    long long before = cur->before, after = cur->after;
    long long limit = cur->limit ? cur->limit : PAGE_DEFAULT, lo, hi;
    json_t *arr = json_array();
    err_t e;
    page_range(cv, cur, limit, &lo, &hi);
    if (lo <= hi) {
        const char *p[] = {id_str(c, cv->id), id_str(c, lo), id_str(c, hi)};
        PGresult *r;
        if ((e = db_exec(c->db, "msg_range", 3, p, &r))) goto fail;
        for (int k = 0; k < PQntuples(r); k++) json_array_append_new(arr, msg_row_json(c, r, k, 0, cv->id, c->user));
        PQclear(r);
    }
    if ((e = add_reactions(c, cv->id, arr, c->user))) goto fail;
    if ((e = add_receipts(c, cv->id, arr))) goto fail;
    if ((e = e2emsg_attach(c, cv->id, arr, c->user))) goto fail;
    if ((e = preview_attach(c, cv->id, arr))) goto fail;
    size_t n = json_array_size(arr);
    long long first = n ? json_integer_value(json_object_get(json_array_get(arr, 0), "seq")) : 0;
    long long last = n ? json_integer_value(json_object_get(json_array_get(arr, n - 1), "seq")) : 0;
    *out = json_pack("{s:o,s:b,s:b,s:I}", "messages", arr,
                     "has_older", n ? first > 1 : (before > 1 || (after > 0 && cv->last_seq > 0)),
                     "has_newer", n ? last < cv->last_seq : (before > 0 && cv->last_seq > 0 && before <= cv->last_seq),
                     "last_seq", (json_int_t)cv->last_seq);
    return *out ? ERR_OK : ERR_INTERNAL;
fail:
    json_decref(arr);
    return e;
}

/* A retry of a send that was stored: 1 with its seq and event id when the caller sent
 * client_id in conv before, 0 when not, -1 on a database error. */
static int msg_original(svc *c, const char *conv_s, const char *me, const char *client_id, long long *seq,
                        long long *event_id)
{
    const char *p[] = {conv_s, me, client_id};
    PGresult *r;
    if (db_exec(c->db, "msg_by_client", 3, p, &r)) return -1;
    int found = PQntuples(r) == 1;
    if (found) *seq = atoll(PQgetvalue(r, 0, 0)), *event_id = atoll(PQgetvalue(r, 0, 1));
    PQclear(r);
    return found;
}

/* The checks before an insert. A retry whose original is stored gets the original even when
 * a check would now refuse it (muted since, say), so they are looked up only then: most
 * sends are first tries and cost no lookup (the insert's unique client_id catches a retry). */
static err_t msg_send_checks(svc *c, const conv *cv, const char *conv_s, long long reply_to, int system)
{
    err_t e;
    if (!system && (e = conv_unmuted(c, cv, "send messages"))) return e;
    if (!system && !conv_can_post(cv))
        return svc_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can post in this channel.");
    if (cv->blocked) return svc_fail(c, ERR_NOT_ALLOWED, NULL, "You cannot send messages to this person.");
    if (reply_to) {
        const char *p[] = {conv_s, id_str(c, reply_to)};
        PGresult *r;
        if ((e = db_exec(c->db, "msg_meta", 2, p, &r))) return e;
        int ok = PQntuples(r) == 1;
        PQclear(r);
        if (!ok) return svc_fail(c, ERR_INVALID_FIELD, "reply_to", "The message you reply to is not in this conversation.");
    }
    return ERR_OK;
}

/* msg_send_as, and with mine (NULL: not wanted) msg_send_json's *mine and *neutral. */
static err_t msg_store(svc *c, const conv *cv, const char *body, const char *sender_name, const char *client_id,
                       long long reply_to, json_t *media_ids, int *created, long long *seq, long long *event_id,
                       json_t **mine, json_t **neutral)
{
    if (mine) *mine = *neutral = NULL;
    long long ev_dummy;
    if (!event_id) event_id = &ev_dummy;
    *event_id = 0;
    int system = !strcmp(cv->kind, "system");
    const char *conv_s = id_str(c, cv->id), *me = id_str(c, c->user->id);
    PGresult *r;
    err_t e;
    *created = 0;
    /* Inside a caller's transaction (an encrypted send stores its envelopes in it), the
     * insert's unique violation would abort that transaction: look a retry up first there. */
    if (client_id && c->db->conn && PQtransactionStatus(c->db->conn) != PQTRANS_IDLE) {
        int found = msg_original(c, conv_s, me, client_id, seq, event_id);
        if (found) return found > 0 ? ERR_OK : ERR_UNAVAILABLE;
    }
    if ((e = msg_send_checks(c, cv, conv_s, reply_to, system))) {
        int found = client_id && e != ERR_UNAVAILABLE ? msg_original(c, conv_s, me, client_id, seq, event_id) : 0;
        return found == 1 ? ERR_OK : e;          /* a retry: answer with the original */
    }
    const char *files = "{}";
    if (json_array_size(media_ids)) {
        if ((e = media_check_own(c, media_ids, "media_ids"))) return e;
        pgarr x;
        pgarr_init(&x);
        for (size_t i = 0; i < json_array_size(media_ids); i++) pgarr_id(&x, json_integer_value(json_array_get(media_ids, i)));
        if (!(files = pgarr_done(&x, c->a))) return ERR_INTERNAL;
    }
    const char *want = mine ? "true" : "false";                   /* the message returned */
    const char *p[8 + SEND_JOBS_NPARAMS + 4] = {conv_s, me, system ? "system" : "text", body, client_id,
                                                 system ? "true" : "false", reply_to ? id_str(c, reply_to) : NULL, files};
    if ((e = send_jobs_params(c, cv, body, p + 8))) return e;     /* its jobs' conditions (send_jobs.h) */
    p[8 + SEND_JOBS_NPARAMS] = sender_name;                        /* $14 */
    if (!system && (e = mentions_params(c, cv, body, &p[8 + SEND_JOBS_NPARAMS + 1], &p[8 + SEND_JOBS_NPARAMS + 2])))
        return e;                                                  /* $15, $16 (mentions.h) */
    p[8 + SEND_JOBS_NPARAMS + 3] = want;                           /* $17 */
    /* The variant with only the parts whose parameter is given (msg_stmts): push, digest,
     * webhooks (first word and @names go together), preview, mentions. None: msg_insert.
     * Run alone, or in one transaction with other threads' sends that meet it (dbgroup.h). */
    int mask = (p[8] ? 1 : 0) | (p[9] ? 2 : 0) | (p[10] ? 4 : 0) | (p[12] ? 8 : 0) | (p[8 + SEND_JOBS_NPARAMS + 1] ? 16 : 0);
    if (!mask) {
        const char *q[10] = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], sender_name, want};
        e = dbgroup_exec(c->db, cv->id, "msg_insert", 10, q, &r);
    } else {
        char name[24];
        snprintf(name, sizeof name, "msg_insert_%d", mask);
        e = dbgroup_exec(c->db, cv->id, name, 8 + SEND_JOBS_NPARAMS + 4, p, &r);
    }
    if (e == ERR_INTERNAL && !strcmp(c->db->sqlstate, "23505") && client_id) {
        int found = msg_original(c, conv_s, me, client_id, seq, event_id);   /* a retry: the original */
        return found == 1 ? ERR_OK : found < 0 ? ERR_UNAVAILABLE : ERR_INTERNAL;
    }
    if (e) return e;
    if (PQntuples(r) != 1) {                       /* removed or demoted meanwhile */
        PQclear(r);
        return svc_fail(c, ERR_FORBIDDEN, NULL, "You can no longer post in this conversation.");
    }
    *seq = atoll(PQgetvalue(r, 0, 0));
    *event_id = atoll(PQgetvalue(r, 0, 1));
    c->sent_event = *event_id;                     /* published by conversation (events.c) */
    c->sent_epoch = atoll(PQgetvalue(r, 0, 2));
    *created = 1;
    if (mine) {                                    /* the answer and the event, from this row */
        *mine = msg_row_json(c, r, 0, MSG_SENT_COL, cv->id, c->user);
        *neutral = msg_row_json(c, r, 0, MSG_SENT_COL, cv->id, NULL);
        if (!*mine || !*neutral) {
            json_decref(*mine);
            json_decref(*neutral);
            *mine = *neutral = NULL;               /* the caller reads it instead */
        }
    }
    PQclear(r);                                    /* its jobs were queued by the insert itself */
    return ERR_OK;
}

err_t msg_send(svc *c, const conv *cv, const char *body, const char *client_id, long long reply_to,
               json_t *media_ids, int *created, long long *seq, long long *event_id)
{
    return msg_store(c, cv, body, NULL, client_id, reply_to, media_ids, created, seq, event_id, NULL, NULL);
}

err_t msg_send_as(svc *c, const conv *cv, const char *body, const char *sender_name, const char *client_id,
                  long long reply_to, json_t *media_ids, int *created, long long *seq, long long *event_id)
{
    return msg_store(c, cv, body, sender_name, client_id, reply_to, media_ids, created, seq, event_id, NULL, NULL);
}

err_t msg_send_json(svc *c, const conv *cv, const char *body, const char *client_id, long long reply_to,
                    json_t *media_ids, int *created, long long *seq, long long *event_id, json_t **mine,
                    json_t **neutral)
{
    return msg_store(c, cv, body, NULL, client_id, reply_to, media_ids, created, seq, event_id, mine, neutral);
}

err_t msg_mark_read(svc *c, const conv *cv, long long seq, long long *read_seq, long long *unread)
{
    const char *p[] = {id_str(c, cv->id), id_str(c, c->user->id), id_str(c, seq)};
    PGresult *r;
    err_t e = db_exec(c->db, "msg_read", 3, p, &r);
    if (e) return e;
    if (!PQntuples(r)) { PQclear(r); return ERR_NOT_FOUND; }
    *read_seq = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    notify_read_queued(c, cv, *read_seq);           /* clears its pushes elsewhere (push.c) */
    if (!unread) return ERR_OK;                          /* the caller does not show it */
    const char *q[] = {id_str(c, cv->id), id_str(c, c->user->id), id_str(c, *read_seq)};
    if ((e = db_exec(c->db, "msg_unread", 3, q, &r))) return e;
    *unread = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return ERR_OK;
}

/* The body field: 1 character to the configured number of bytes. */
err_t msg_body_ok(svc *c, const char *body)
{
    size_t n = strlen(body);
    if ((long)n > c->cfg->max_message)
        return svc_fail(c, ERR_INVALID_FIELD, "body",
                        arena_printf(c->a, "A message may be at most %ld bytes long.", c->cfg->max_message));
    if (strspn(body, " \t\r\n") == n) return svc_fail(c, ERR_MISSING_FIELD, "body", "Write something first.");
    return ERR_OK;
}

/* POST /conversations/<id>/messages */
static err_t h_msg_send(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    const char *body = ctx_str(c, "body");
    json_t *files = json_object_get(c->in, "media_ids");
    json_t *rt = json_object_get(c->in, "reply_to");
    long long reply_to = json_is_integer(rt) ? json_integer_value(rt) : 0;
    int created;
    long long seq, event_id;
    json_t *m = NULL, *neutral = NULL;                   /* the stored message: ours */
    if (cv.e2e) {                                        /* envelopes only (e2emsg.h) */
        if ((e = e2emsg_send(&c->svc, &cv, c->in, ctx_str(c, "client_id"), reply_to, &created, &seq, &event_id)))
            return e;
    } else {
        if (json_object_get(c->in, "envelopes") || json_object_get(c->in, "group"))
            return ctx_fail(c, ERR_INVALID_FIELD, "envelopes", "This conversation is not end-to-end encrypted: send a body.");
        if (!body) body = "";
        if (json_array_size(files) && strspn(body, " \t\r\n") == strlen(body)) body = "";   /* a file alone */
        else if ((e = msg_body_ok(&c->svc, body))) return e;
        if ((e = notify_everyone_check(c, &cv, body))) return e;    /* @all/@here to many (notify.h) */
        if ((e = msg_send_json(&c->svc, &cv, body, ctx_str(c, "client_id"), reply_to, files, &created, &seq,
                               &event_id, &m, &neutral)))
            return e;
    }
    /* Committed: ring the bell. A retry rings it again under the same event id (the hubs
     * deliver an id once), so it costs nothing when the first publication arrived. */
    if (created && (m || !msg_get_new(&c->svc, cv.id, seq, &m, &neutral))) {
        msg_event_created(&c->svc, cv.id, seq, event_id, neutral);     /* one read for both */
    } else {                                                           /* a retry: as it is now */
        msg_event_created(&c->svc, cv.id, seq, event_id, NULL);
        if ((e = msg_get(&c->svc, cv.id, seq, &m))) return e;
    }
    if (created && cv.request && (e = requests_clear(&c->svc, cv.id))) { json_decref(m); return e; }   /* answering accepts */
    c->out = json_pack("{s:o}", "message", m);
    c->status = created ? 201 : 200;
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld#m%lld", cv.id, seq);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

const msg_cursor *msg_cursor_of(ctx *c, msg_cursor *cur)
{
    long long after;
    cur->from_start = ctx_qint(c, "after", &after) && after == 0;
    cur->after = after;
    ctx_qint(c, "before", &cur->before);
    ctx_qint(c, "around", &cur->around);
    ctx_qint(c, "limit", &cur->limit);
    return cur;
}

/* GET /conversations/<id>/messages */
static err_t h_msg_list(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    msg_cursor cur;
    return e ? e : msg_page(&c->svc, &cv, msg_cursor_of(c, &cur), &c->out);
}

/* The path's message: its kind, sender and whether deleted. */
static err_t path_msg(ctx *c, conv *cv, long long *seq, char kind[8], long long *sender, int *deleted)
{
    err_t e = conv_from_path(c, cv);
    if (!e) e = param_id(c, "seq", seq);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, cv->id), id_str(&c->svc, *seq)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "msg_meta", 2, p, &r))) return e;
    if (!PQntuples(r)) { PQclear(r); return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such message."); }
    snprintf(kind, 8, "%s", PQgetvalue(r, 0, 0));
    *sender = PQgetisnull(r, 0, 1) ? 0 : atoll(PQgetvalue(r, 0, 1));
    *deleted = PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    return ERR_OK;
}

/* After an edit, delete or reaction a form lands back at the message: on the newest page
 * (which grows live) when the message is on it, else on the page around it. */
static err_t done_message(ctx *c, const conv *cv, long long seq, int status)
{
    long long conv_id = cv->id;
    c->status = status;
    if (!c->rq.is_api)
        c->redirect = seq > cv->last_seq - PAGE_DEFAULT
                      ? arena_printf(c->svc.a, "/conversations/%lld#m%lld", conv_id, seq)
                      : arena_printf(c->svc.a, "/conversations/%lld?around=%lld#m%lld", conv_id, seq, seq);
    if (status == 204) return ERR_OK;
    json_t *m;
    err_t e = msg_get(&c->svc, conv_id, seq, &m);
    if (e) return e;
    c->out = json_pack("{s:o}", "message", m);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* The path's message, which must be the caller's own, live text message (to edit it). */
static err_t path_own_msg(ctx *c, conv *cv, long long *seq)
{
    long long sender;
    char kind[8];
    int deleted;
    err_t e = path_msg(c, cv, seq, kind, &sender, &deleted);
    if (e) return e;
    if (sender != c->svc.user->id || strcmp(kind, "text") || deleted)
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "You can only edit your own messages.");
    if (cv->e2e)            /* an edit would need new envelopes for every device; not offered */
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Messages in an end-to-end encrypted conversation cannot be edited.");
    if ((e = conv_unmuted(&c->svc, cv, "edit messages"))) return e;
    return conv_unblocked(&c->svc, cv, "edit messages");
}

/* GET /conversations/<id>/messages/<seq>/edit (the edit form) */
static err_t h_msg_edit_form(ctx *c)
{
    conv cv;
    long long seq;
    err_t e = path_own_msg(c, &cv, &seq);
    if (e) return e;
    json_t *m, *cj;
    if ((e = msg_get(&c->svc, cv.id, seq, &m))) return e;
    if ((e = conv_json(&c->svc, &cv, 0, &cj))) { json_decref(m); return e; }
    c->out = json_pack("{s:o,s:o}", "conversation", cj, "message", m);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* PATCH /conversations/<id>/messages/<seq> */
static err_t h_msg_edit(ctx *c)
{
    conv cv;
    long long seq;
    err_t e = path_own_msg(c, &cv, &seq);
    if (e) return e;
    const char *body = ctx_str(c, "body");
    if ((e = msg_body_ok(&c->svc, body))) return e;
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, seq), body, NULL, NULL};
    if ((e = mentions_params(&c->svc, &cv, body, &p[3], &p[4]))) return e;
    if ((e = db_run(c->svc.db, "msg_edit", 5, p))) return e;
    msg_event(&c->svc, "message.edited", cv.id, seq);
    return done_message(c, &cv, seq, 200);
}

/* DELETE /conversations/<id>/messages/<seq> */
static err_t h_msg_delete(ctx *c)
{
    conv cv;
    long long seq, sender;
    char kind[8];
    int deleted;
    err_t e = path_msg(c, &cv, &seq, kind, &sender, &deleted);
    if (e) return e;
    int moderator = conv_is_admin(&cv) && strcmp(cv.kind, "direct");
    if (strcmp(kind, "text") || (sender != c->svc.user->id && !moderator))
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "You can only delete your own messages.");
    if ((e = conv_unblocked(&c->svc, &cv, "delete messages"))) return e;   /* the record stays as it was */
    if (!deleted) {
        const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, seq)};
        if ((e = db_run(c->svc.db, "msg_delete", 2, p))) return e;
        ev_conv(&c->svc, cv.id, json_pack("{s:s,s:I,s:I}", "type", "message.deleted", "conversation_id", (json_int_t)cv.id,
                                    "seq", (json_int_t)seq), 0, 0);
    }
    return done_message(c, &cv, seq, 204);
}

/* POST /conversations/<id>/messages/<seq>/reactions */
static err_t h_msg_react(ctx *c)
{
    conv cv;
    long long seq, sender;
    char kind[8];
    int deleted;
    err_t e = path_msg(c, &cv, &seq, kind, &sender, &deleted);
    if (e) return e;
    /* Exactly one emoji from Unicode's list, stored in its fully-qualified form (❤ is ❤️). */
    const char *given = ctx_str(c, "emoji");
    const char *emoji = emoji_canonical(given, strlen(given));
    if (!emoji) return ctx_fail(c, ERR_INVALID_FIELD, "emoji", "Pick one emoji (a single emoji, nothing else).");
    if (deleted || strcmp(kind, "text")) return ctx_fail(c, ERR_FORBIDDEN, NULL, "You cannot react to this message.");
    if ((e = conv_unblocked(&c->svc, &cv, "react")) || (e = conv_unmuted(&c->svc, &cv, "react"))) return e;
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, seq), id_str(&c->svc, c->svc.user->id), emoji};
    if ((e = db_run(c->svc.db, "msg_react", 4, p))) return e;
    msg_event(&c->svc, "reaction", cv.id, seq);
    return done_message(c, &cv, seq, 200);
}

/* POST /conversations/<id>/delivered: the caller's client has received messages up to seq. */
static err_t h_msg_delivered(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    /* Across a block receipts stand still (answered as they are; pages post them on their own). */
    long long upto = cv.blocked ? 0 : json_integer_value(json_object_get(c->in, "seq"));
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, c->svc.user->id), id_str(&c->svc, upto)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "msg_delivered", 3, p, &r))) return e;
    long long now = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
    long long before = PQntuples(r) ? atoll(PQgetvalue(r, 0, 1)) : 0;
    PQclear(r);
    if (now > before) msg_event_delivered(&c->svc, cv.id, c->svc.user->id, now);     /* only when it moved */
    c->out = json_pack("{s:I}", "delivered_seq", (json_int_t)now);
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld", cv.id);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /conversations/<id>/read */
static err_t h_msg_read(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    long long rs, unread;                                 /* across a block: stands still, as above */
    long long upto = cv.blocked ? 0 : json_integer_value(json_object_get(c->in, "seq"));
    if ((e = msg_mark_read(&c->svc, &cv, upto, &rs, &unread))) return e;
    if (rs > cv.read_seq) msg_event_read(&c->svc, cv.id, c->svc.user->id, rs);       /* only when it moved */
    c->out = json_pack("{s:I,s:I}", "read_seq", (json_int_t)rs, "unread", (json_int_t)unread);
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld", cv.id);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- events: what a change tells the members (after its commit) ---- */

json_t *msg_event_json(svc *c, const char *type, long long conv_id, long long seq)
{
    json_t *m;
    svc aside = svc_aside(c);                            /* a failure here is not the caller's */
    if (msg_get_neutral(&aside, conv_id, seq, &m)) return NULL;
    return json_pack("{s:s,s:I,s:I,s:o}", "type", type, "conversation_id", (json_int_t)conv_id, "seq", (json_int_t)seq,
                     "message", m);
}

void msg_event(svc *c, const char *type, long long conv_id, long long seq)
{
    json_t *ev = msg_event_json(c, type, conv_id, seq);
    if (!ev) log_warn("events: %s %lld/%lld not published: message not loaded", type, conv_id, seq);
    else ev_conv(c, conv_id, ev, 0, 0);
}

void msg_event_created(svc *c, long long conv_id, long long seq, long long event_id, json_t *message)
{
    if (!event_id) {                                     /* a system message's: look it up */
        const char *p[] = {id_str(c, conv_id), id_str(c, seq)};
        PGresult *r;
        if (db_exec(c->db, "msg_event_id", 2, p, &r) == ERR_OK) {
            if (PQntuples(r)) event_id = atoll(PQgetvalue(r, 0, 0));
            PQclear(r);
        }
    }
    json_t *ev = message ? json_pack("{s:s,s:I,s:I,s:o}", "type", "message.created", "conversation_id", (json_int_t)conv_id,
                                     "seq", (json_int_t)seq, "message", message)
                         : msg_event_json(c, "message.created", conv_id, seq);
    if (!ev) log_warn("events: message.created %lld/%lld not published: message not loaded", conv_id, seq);
    else if (event_id) ev_conv_logged(c, conv_id, ev, event_id);
    else ev_conv(c, conv_id, ev, 0, 0);                  /* its log row is gone (older than a day) */
}

void msg_event_read(svc *c, long long conv_id, long long user_id, long long read_seq)
{
    if (c->user && c->user->id == user_id && !c->user->read_receipts) return;   /* kept private */
    ev_conv(c, conv_id, json_pack("{s:s,s:I,s:I,s:I}", "type", "read", "conversation_id", (json_int_t)conv_id,
                                  "user_id", (json_int_t)user_id, "read_seq", (json_int_t)read_seq), 0, 0);
}

void msg_event_delivered(svc *c, long long conv_id, long long user_id, long long delivered_seq)
{
    ev_conv(c, conv_id, json_pack("{s:s,s:I,s:I,s:I}", "type", "delivered", "conversation_id", (json_int_t)conv_id,
                                  "user_id", (json_int_t)user_id, "delivered_seq", (json_int_t)delivered_seq), 0, 0);
}

/* ---- routes (module.h) ---- */

#define Q_HISTORY \
    {"before", "before", FV_INT, 0, 0, 999999999999999LL}, {"after", "after", FV_INT, 0, 0, 999999999999999LL}, \
    {"around", "around", FV_INT, 0, 0, 999999999999999LL}, {"limit", "limit", FV_INT, 0, 1, 200}

static const field_spec q_history[] = {Q_HISTORY, {NULL, NULL, 0, 0, 0, 0}};
static const field_spec f_msg_send[] = {
    {"body", "Message", FV_BYTES, 0, 0, 1048576},       /* bytes; capped by PARLEY_MAX_MESSAGE */
    {"media_ids", "Files", FV_IDS, 0, 0, MEDIA_MAX_PER_MESSAGE},
    {"client_id", "client_id", FV_UUID, 0, 0, 0},
    {"reply_to", "reply_to", FV_INT, 0, 1, 999999999999999LL},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_msg_edit[] = {
    {"body", "Message", FV_BYTES, 1, 1, 1048576},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_react[] = {
    {"emoji", "Emoji", FV_BYTES, 1, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_read[] = {
    {"seq", "seq", FV_INT, 1, 0, 999999999999999LL},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route msg_routes[] = {
    {"GET", "/conversations/:id/messages", h_msg_list, R_AUTH, "conversation", NULL, NULL, q_history},
    {"POST", "/conversations/:id/messages", h_msg_send, R_AUTH | R_UPLOAD, "conversation", f_msg_send, h_conv_show, NULL},
    {"GET", "/conversations/:id/messages/:seq/edit", h_msg_edit_form, R_AUTH, "message_edit", NULL, NULL, NULL},
    {"PATCH", "/conversations/:id/messages/:seq", h_msg_edit, R_AUTH, "message_edit", f_msg_edit, h_msg_edit_form, NULL},
    {"POST", "/conversations/:id/messages/:seq/edit", h_msg_edit, R_AUTH, "message_edit", f_msg_edit, h_msg_edit_form, NULL},
    {"DELETE", "/conversations/:id/messages/:seq", h_msg_delete, R_AUTH, "conversation", NULL, h_conv_show, NULL},
    {"POST", "/conversations/:id/messages/:seq/delete", h_msg_delete, R_AUTH, "conversation", NULL, h_conv_show, NULL},
    {"POST", "/conversations/:id/messages/:seq/reactions", h_msg_react, R_AUTH, "conversation", f_react, h_conv_show, NULL},
    {"POST", "/conversations/:id/read", h_msg_read, R_AUTH, "conversation", f_read, h_conv_show, NULL},
    {"POST", "/conversations/:id/delivered", h_msg_delivered, R_AUTH, "conversation", f_read, h_conv_show, NULL},
};
const module msg_module = {"messages", MODULE_ROUTES(msg_routes), msg_stmts};
