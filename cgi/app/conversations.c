/* conversations.c — conversations and their members (domain + handlers). */
#include "handlers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conv.h"
#include "events.h"
#include "people.h"
#include "presence.h"
#include "users.h"
#include "format.h"
#include "../core/num.h"



const db_stmt conv_stmts[] = {
    {"conv_get", "SELECT c.id, c.kind, c.title, c.description, c.e2e, c.last_seq, " DB_TS("c.created_at") ", "
                 DB_TS("c.last_activity_at") ", m.role, m.read_seq, "
                 /* direct only: does a block stand between the caller ($2) and the other member? */
                 "CASE WHEN c.kind = 'direct' THEN EXISTS (SELECT 1 FROM members o JOIN blocks b "
                 "ON (b.user_id = o.user_id AND b.blocked_id = $2) OR (b.user_id = $2 AND b.blocked_id = o.user_id) "
                 "WHERE o.conversation_id = c.id AND o.user_id <> $2) ELSE false END "
                 "FROM conversations c JOIN members m ON m.conversation_id = c.id AND m.user_id = $2 WHERE c.id = $1"},
    {"conv_members", "SELECT u.id, u.username, u.display_name, m.role FROM members m JOIN users u ON u.id = m.user_id "
                     "WHERE m.conversation_id = $1 ORDER BY m.role = 'owner' DESC, m.role = 'admin' DESC, m.joined_at, u.id "
                     "LIMIT " "1000"},
    {"conv_member_count", "SELECT count(*) FROM members WHERE conversation_id = $1"},
    {"conv_peer", "SELECT u.id, u.username, u.display_name, u.status_text, " DB_TS("u.created_at") " FROM members m "
                  "JOIN users u ON u.id = m.user_id WHERE m.conversation_id = $1 AND m.user_id <> $2 LIMIT 1"},
    {"conv_list", "SELECT c.id, c.kind, c.title, c.last_seq, " DB_TS("c.last_activity_at") ", m.role, m.read_seq, "
                  "(SELECT count(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = c.id AND x.seq > m.read_seq "
                  "AND x.kind = 'text' AND x.deleted_at IS NULL AND x.sender_id IS DISTINCT FROM $1 LIMIT 1000) z), "
                  "p.id, p.username, p.display_name, "
                  "lm.seq, lm.kind, lm.body, lm.deleted_at IS NOT NULL, " DB_TS("lm.created_at") ", lu.id, lu.username, lu.display_name, "
                  "c.e2e, c.description, lm.id, " DB_TS("lm.edited_at") ", lm.client_id "
                  "FROM members m JOIN conversations c ON c.id = m.conversation_id "
                  "LEFT JOIN LATERAL (SELECT u.id, u.username, u.display_name FROM members o JOIN users u ON u.id = o.user_id "
                  "WHERE c.kind = 'direct' AND o.conversation_id = c.id AND o.user_id <> $1 LIMIT 1) p ON true "
                  "LEFT JOIN LATERAL (SELECT * FROM messages y WHERE y.conversation_id = c.id ORDER BY y.seq DESC LIMIT 1) lm ON true "
                  "LEFT JOIN users lu ON lu.id = lm.sender_id "
                  "WHERE m.user_id = $1 ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 500"},
    {"conv_insert", "INSERT INTO conversations (kind, title, description, created_by) VALUES ($1, $2, $3, $4) RETURNING id"},
    {"conv_direct_insert", "INSERT INTO conversations (kind, direct_key, created_by) VALUES ('direct', $1, $2) "
                           "ON CONFLICT (direct_key) DO NOTHING RETURNING id"},
    {"conv_direct_find", "SELECT id FROM conversations WHERE direct_key = $1"},
    {"conv_update", "UPDATE conversations SET title = COALESCE($2, title), description = COALESCE($3, description) "
                    "WHERE id = $1"},
    {"member_insert", "INSERT INTO members (conversation_id, user_id, role, read_seq) "
                      "SELECT $1::bigint, $2::bigint, $3, c.last_seq FROM conversations c WHERE c.id = $1 "
                      "ON CONFLICT DO NOTHING RETURNING user_id"},
    {"member_role", "SELECT role FROM members WHERE conversation_id = $1 AND user_id = $2"},
    {"member_set_role", "UPDATE members SET role = $3 WHERE conversation_id = $1 AND user_id = $2"},
    {"member_delete", "DELETE FROM members WHERE conversation_id = $1 AND user_id = $2 RETURNING role"},
    {"member_owners", "SELECT count(*) FROM members WHERE conversation_id = $1 AND role = 'owner'"},
    {"member_heir", "UPDATE members SET role = 'owner' WHERE conversation_id = $1 AND user_id = "
                    "(SELECT user_id FROM members WHERE conversation_id = $1 "
                    "ORDER BY role = 'admin' DESC, joined_at, user_id LIMIT 1) RETURNING user_id"},
    {"conv_lock", "SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE"},
    {NULL, NULL},
};

static const char *copy(ctx *c, PGresult *r, int i, int col) { return arena_strdup(c->a, PQgetvalue(r, i, col)); }

err_t conv_load(ctx *c, long long id, conv *out)
{
    const char *p[] = {id_str(c, id), id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "conv_get", 2, p, &r);
    if (e) return e;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such conversation, or you are not in it.");
    }
    out->id = id;
    out->kind = copy(c, r, 0, 1);
    out->title = copy(c, r, 0, 2);
    out->description = copy(c, r, 0, 3);
    out->e2e = PQgetvalue(r, 0, 4)[0] == 't';
    out->last_seq = atoll(PQgetvalue(r, 0, 5));
    out->created_at = copy(c, r, 0, 6);
    out->last_activity_at = copy(c, r, 0, 7);
    out->my_role = copy(c, r, 0, 8);
    out->read_seq = atoll(PQgetvalue(r, 0, 9));
    out->blocked = PQgetvalue(r, 0, 10)[0] == 't';
    PQclear(r);
    return ERR_OK;
}

err_t conv_from_path(ctx *c, conv *out)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    return e ? e : conv_load(c, id, out);
}

int conv_is_admin(const conv *cv) { return !strcmp(cv->my_role, "owner") || !strcmp(cv->my_role, "admin"); }
int conv_can_post(const conv *cv) { return strcmp(cv->kind, "channel") || conv_is_admin(cv); }

err_t conv_unblocked(ctx *c, const conv *cv, const char *doing)
{
    if (!cv->blocked) return ERR_OK;
    return ctx_fail(c, ERR_NOT_ALLOWED, NULL, arena_printf(c->a, "You cannot %s in this conversation.", doing));
}

static json_t *member_json(PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)), "username", PQgetvalue(r, i, 1),
                     "display_name", PQgetvalue(r, i, 2), "role", PQgetvalue(r, i, 3));
}

err_t conv_json(ctx *c, const conv *cv, int with_members, json_t **out)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:b,s:s,s:s,s:s,s:I}", "id", (json_int_t)cv->id, "kind", cv->kind,
                          "title", cv->title, "description", cv->description, "last_seq", (json_int_t)cv->last_seq,
                          "e2e", cv->e2e, "created_at", cv->created_at, "last_activity_at", cv->last_activity_at,
                          "my_role", cv->my_role, "read_seq", (json_int_t)cv->read_seq);
    if (!o) return ERR_INTERNAL;
    const char *p[] = {id_str(c, cv->id), id_str(c, c->user->id)};
    PGresult *r;
    err_t e;
    if (!strcmp(cv->kind, "direct")) {
        if ((e = db_exec(c->db, "conv_peer", 2, p, &r))) { json_decref(o); return e; }
        if (PQntuples(r)) {
            json_object_set_new(o, "peer", json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, 0, 0)),
                                "username", PQgetvalue(r, 0, 1), "display_name", PQgetvalue(r, 0, 2),
                                "status_text", PQgetvalue(r, 0, 3), "created_at", PQgetvalue(r, 0, 4)));
            json_object_set_new(o, "title", json_string(PQgetvalue(r, 0, 2)));
        }
        PQclear(r);
    }
    if (with_members) {
        if ((e = db_exec(c->db, "conv_members", 1, p, &r))) { json_decref(o); return e; }
        json_t *arr = json_array();
        for (int i = 0; i < PQntuples(r); i++) json_array_append_new(arr, member_json(r, i));
        PQclear(r);
        json_object_set_new(o, "members", arr);
        if ((e = db_exec(c->db, "conv_member_count", 1, p, &r))) { json_decref(o); return e; }
        json_object_set_new(o, "member_count", json_integer(atoll(PQgetvalue(r, 0, 0))));
        PQclear(r);
    }
    *out = o;
    return ERR_OK;
}

err_t conv_system(ctx *c, long long conv_id, const char *text, long long *seq)
{
    conv cv = {.id = conv_id, .kind = "system"};
    long long s;
    int created;
    err_t e = msg_send(c, &cv, text, NULL, 0, &created, &s);
    if (!e && seq) *seq = s;
    return e;
}

/* Adds a member inside the caller's transaction; ERR_ALREADY_MEMBER if present. */
static err_t member_add(ctx *c, long long conv_id, long long uid, const char *role)
{
    const char *p[] = {id_str(c, conv_id), id_str(c, uid), role};
    PGresult *r;
    err_t e = db_exec(c->db, "member_insert", 3, p, &r);
    if (e) return e;
    int added = PQntuples(r) == 1;
    PQclear(r);
    return added ? ERR_OK : ctx_fail(c, ERR_ALREADY_MEMBER, "username", "That person is already a member.");
}

err_t conv_direct_open(ctx *c, user_row *peer, long long *id, int *created)
{
    int blocked;
    err_t e = people_block_between(c, c->user->id, peer->id, &blocked);
    if (e) return e;
    if (blocked) return ctx_fail(c, ERR_NOT_ALLOWED, "username", "You cannot start a conversation with this person.");
    long long lo = c->user->id < peer->id ? c->user->id : peer->id, hi = lo == c->user->id ? peer->id : c->user->id;
    const char *key = arena_printf(c->a, "%lld:%lld", lo, hi);
    const char *p[] = {key, id_str(c, c->user->id)};
    PGresult *r;
    if ((e = db_begin(c->db))) return e;
    if ((e = db_exec(c->db, "conv_direct_insert", 2, p, &r))) goto fail;
    *created = PQntuples(r) == 1;
    if (*created) {
        *id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        if ((e = member_add(c, *id, c->user->id, "member")) || (e = member_add(c, *id, peer->id, "member"))) goto fail;
    } else {
        PQclear(r);
        if ((e = db_exec(c->db, "conv_direct_find", 1, p, &r))) goto fail;
        *id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    return db_commit(c->db);
fail:
    db_rollback(c->db);
    return e;
}

/* GET /conversations */
err_t h_convs(ctx *c)
{
    const char *p[] = {id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "conv_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        int direct = !strcmp(PQgetvalue(r, i, 1), "direct");
        json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:I,s:I,s:b,s:s}",
                              "id", (json_int_t)atoll(PQgetvalue(r, i, 0)), "kind", PQgetvalue(r, i, 1),
                              "title", direct && !PQgetisnull(r, i, 10) ? PQgetvalue(r, i, 10) : PQgetvalue(r, i, 2),
                              "last_seq", (json_int_t)atoll(PQgetvalue(r, i, 3)), "last_activity_at", PQgetvalue(r, i, 4),
                              "my_role", PQgetvalue(r, i, 5), "read_seq", (json_int_t)atoll(PQgetvalue(r, i, 6)),
                              "unread", (json_int_t)atoll(PQgetvalue(r, i, 7)), "e2e", PQgetvalue(r, i, 19)[0] == 't',
                              "description", PQgetvalue(r, i, 20));
        if (!o) continue;
        if (direct && !PQgetisnull(r, i, 8))
            json_object_set_new(o, "peer", json_pack("{s:I,s:s,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, i, 8)),
                                "username", PQgetvalue(r, i, 9), "display_name", PQgetvalue(r, i, 10)));
        if (PQgetisnull(r, i, 11)) {
            json_object_set_new(o, "last_message", json_null());
        } else {
            int deleted = PQgetvalue(r, i, 14)[0] == 't';
            const char *body = PQgetisnull(r, i, 13) ? "" : PQgetvalue(r, i, 13);
            size_t blen = strlen(body);
            int mentions_me = 0;
            const char *html = deleted ? "" : fmt_message(c->a, body, blen, c->user->username, &mentions_me);
            /* The same shape as any message, plus a short "excerpt" for previews. */
            json_t *lm = json_pack("{s:I,s:I,s:I,s:s,s:o,s:s,s:s,s:b,s:s,s:o,s:o,s:n,s:[],s:b}",
                                   "id", (json_int_t)atoll(PQgetvalue(r, i, 21)),
                                   "conversation_id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                                   "seq", (json_int_t)atoll(PQgetvalue(r, i, 11)), "kind", PQgetvalue(r, i, 12),
                                   "body", deleted ? json_null() : json_string(body), "html", html ? html : "",
                                   "excerpt", deleted ? "" : fmt_excerpt(c->a, body, blen, 120),
                                   "deleted", deleted, "created_at", PQgetvalue(r, i, 15),
                                   "edited_at", PQgetisnull(r, i, 22) ? json_null() : json_string(PQgetvalue(r, i, 22)),
                                   "client_id", PQgetisnull(r, i, 23) ? json_null() : json_string(PQgetvalue(r, i, 23)),
                                   "reply_to", "reactions", "mentions_me", mentions_me);
            if (!lm) { json_decref(o); continue; }
            json_object_set_new(lm, "sender", PQgetisnull(r, i, 16) ? json_null()
                                : json_pack("{s:I,s:s,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, i, 16)),
                                            "username", PQgetvalue(r, i, 17), "display_name", PQgetvalue(r, i, 18)));
            json_object_set_new(o, "last_message", lm);
        }
        json_array_append_new(arr, o);
    }
    PQclear(r);
    json_t *peers = json_array(), *o;                    /* the direct peers, for presence dots */
    size_t k;
    json_array_foreach(arr, k, o)
        if (json_object_get(o, "peer")) json_array_append(peers, json_object_get(o, "peer"));
    presence_attach(c, peers);
    json_decref(peers);
    c->out = json_pack("{s:o}", "conversations", arr);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /conversations */
err_t h_conv_create(ctx *c)
{
    const char *kind = ctx_str(c, "kind");
    if (strcmp(kind, "direct") && strcmp(kind, "group") && strcmp(kind, "channel"))
        return ctx_fail(c, ERR_INVALID_FIELD, "kind", "The kind must be direct, group or channel.");
    json_t *members = json_object_get(c->in, "members");
    user_row **people;
    size_t n;
    if (!strcmp(kind, "direct")) {
        const char *uname = ctx_str(c, "username");
        err_t e = people_resolve_list(c, uname && *uname ? json_object_get(c->in, "username") : members,
                                      uname && *uname ? "username" : "members", 2, &people, &n);
        if (e == ERR_TOO_MANY_MEMBERS || (!e && n != 1))
            return ctx_fail(c, ERR_INVALID_FIELD, "members", "A direct conversation is with exactly one other person.");
        if (e) return e;
        if (people[0]->id == c->user->id)
            return ctx_fail(c, ERR_INVALID_FIELD, "members", "A direct conversation is with someone else.");
        long long id;
        int created;
        if ((e = conv_direct_open(c, people[0], &id, &created))) return e;
        if (created) ev_conv_created(c, id);                  /* committed inside conv_direct_open */
        conv cv;
        json_t *cj;
        if ((e = conv_load(c, id, &cv)) || (e = conv_json(c, &cv, 1, &cj))) return e;
        c->out = json_pack("{s:o}", "conversation", cj);
        c->status = created ? 201 : 200;
        if (!c->rq.is_api) c->redirect = arena_printf(c->a, "/conversations/%lld", id);
        return c->out ? ERR_OK : ERR_INTERNAL;
    }
    const char *title = ctx_str(c, "title");
    if (!title || !*title) return ctx_fail(c, ERR_MISSING_FIELD, "title", "A group or channel needs a title.");
    size_t max = (size_t)c->cfg->max_members - 1;
    err_t e = people_resolve_list(c, members, "members", max, &people, &n);
    if (e) return e;
    for (size_t i = 0; i < n; i++) {
        int blocked;
        if (people[i]->id == c->user->id) continue;
        if ((e = people_blocks(c, people[i]->id, c->user->id, &blocked))) return e;
        if (blocked) return ctx_fail(c, ERR_NOT_ALLOWED, "members",
                                     arena_printf(c->a, "You cannot add %s to a conversation.", people[i]->username));
    }
    const char *desc = ctx_str(c, "description");
    const char *p[] = {kind, title, desc ? desc : "", id_str(c, c->user->id)};
    PGresult *r;
    if ((e = db_begin(c->db))) return e;
    if ((e = db_exec(c->db, "conv_insert", 4, p, &r))) goto fail;
    long long id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if ((e = member_add(c, id, c->user->id, "owner"))) goto fail;
    for (size_t i = 0; i < n; i++)
        if (people[i]->id != c->user->id && (e = member_add(c, id, people[i]->id, "member"))) goto fail;
    long long sys;
    if ((e = conv_system(c, id, arena_printf(c->a, "%s created the %s \xE2\x80\x9C%s\xE2\x80\x9D", c->user->display_name,
                                             kind, title), &sys))) goto fail;
    if ((e = db_commit(c->db))) goto fail;
    ev_conv_created(c, id);
    ev_message(c, "message.created", id, sys);
    conv cv;
    json_t *cj;
    if ((e = conv_load(c, id, &cv)) || (e = conv_json(c, &cv, 1, &cj))) return e;
    c->out = json_pack("{s:o}", "conversation", cj);
    c->status = 201;
    if (!c->rq.is_api) c->redirect = arena_printf(c->a, "/conversations/%lld", id);
    return c->out ? ERR_OK : ERR_INTERNAL;
fail:
    db_rollback(c->db);
    return e;
}

/* Presence for the peer and, in conversations of at most PRESENCE_MAX_CONV, the members. */
static void conv_presence(ctx *c, json_t *cj)
{
    json_t *people = json_array(), *peer = json_object_get(cj, "peer"), *m;
    size_t i;
    if (peer) json_array_append(people, peer);
    if (json_integer_value(json_object_get(cj, "member_count")) <= PRESENCE_MAX_CONV)
        json_array_foreach(json_object_get(cj, "members"), i, m) json_array_append(people, m);
    presence_attach(c, people);
    json_decref(people);
}

/* GET /conversations/<id>: the conversation and a page of history. */
err_t h_conv_show(ctx *c)
{
    conv cv;
    json_t *cj, *page;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    if ((e = msg_page(c, &cv, &page))) return e;
    /* A person opening the page has read it; a prefetch, a preview or a script's fetch has
     * not (the page's script posts /read when it is seen). */
    if (!c->rq.is_api && !c->rq.passive && !cv.blocked) {
        json_t *msgs = json_object_get(page, "messages");
        size_t n = json_array_size(msgs);
        if (n) {
            long long last = json_integer_value(json_object_get(json_array_get(msgs, n - 1), "seq"));
            long long rs;
            if (last > cv.read_seq && (e = msg_mark_read(c, &cv, last, &rs, NULL)) == ERR_OK && rs > cv.read_seq) {
                cv.read_seq = rs;
                ev_read(c, cv.id, c->user->id, rs);
            }
        }
    }
    /* ?reply_to=<seq>: the message being answered, for the composer's "Replying to" strip. */
    const char *reply = req_query(&c->rq, "reply_to");
    json_t *rj;
    long long rseq;
    if (reply && num_parse(reply, strlen(reply), &rseq) == 0 && msg_get(c, cv.id, rseq, &rj) == ERR_OK) {
        const char *body = json_string_value(json_object_get(rj, "body"));
        json_object_set_new(rj, "excerpt", json_string(body ? fmt_excerpt(c->a, body, strlen(body), 120) : ""));
        json_object_set_new(page, "reply_to", rj);
    }
    if ((e = conv_json(c, &cv, 1, &cj))) { json_decref(page); return e; }
    conv_presence(c, cj);
    json_object_set_new(page, "conversation", cj);
    c->out = page;
    return ERR_OK;
}

/* GET /conversations/<id>/settings */
err_t h_conv_settings(ctx *c)
{
    conv cv;
    json_t *cj;
    err_t e = conv_from_path(c, &cv);
    if (!e) e = conv_json(c, &cv, 1, &cj);
    if (e) return e;
    conv_presence(c, cj);
    c->out = json_pack("{s:o}", "conversation", cj);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* PATCH /conversations/<id> */
err_t h_conv_update(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    if (!strcmp(cv.kind, "direct")) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "A direct conversation has no title to change.");
    if (!conv_is_admin(&cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can change the settings.");
    const char *title = ctx_str(c, "title"), *desc = ctx_str(c, "description");
    if (title && !*title) return ctx_fail(c, ERR_INVALID_FIELD, "title", "The title cannot be empty.");
    const char *p[] = {id_str(c, cv.id), title, desc};
    if ((e = db_begin(c->db))) return e;
    if ((e = db_run(c->db, "conv_update", 3, p))) goto fail;
    long long sys = 0;
    if (title && strcmp(title, cv.title) &&
        (e = conv_system(c, cv.id, arena_printf(c->a, "%s renamed the %s to \xE2\x80\x9C%s\xE2\x80\x9D",
                                                c->user->display_name, cv.kind, title), &sys))) goto fail;
    if ((e = db_commit(c->db))) goto fail;
    json_t *cj;
    if ((e = conv_load(c, cv.id, &cv)) || (e = conv_json(c, &cv, 1, &cj))) return e;
    ev_conv(c, cv.id, json_pack("{s:s,s:I,s:s,s:s}", "type", "conversation.updated", "conversation_id",
                                (json_int_t)cv.id, "title", cv.title, "description", cv.description), 0, 0);
    if (sys) ev_message(c, "message.created", cv.id, sys);
    c->out = json_pack("{s:o}", "conversation", cj);
    if (!c->rq.is_api) c->redirect = arena_printf(c->a, "/conversations/%lld/settings?done=saved", cv.id);
    return c->out ? ERR_OK : ERR_INTERNAL;
fail:
    db_rollback(c->db);
    return e;
}

static int valid_role(const char *r) { return r && (!strcmp(r, "owner") || !strcmp(r, "admin") || !strcmp(r, "member")); }

static err_t member_out(ctx *c, long long conv_id, user_row *u)
{
    const char *p[] = {id_str(c, conv_id), id_str(c, u->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "member_role", 2, p, &r);
    if (e) return e;
    c->out = json_pack("{s:{s:I,s:s,s:s,s:s}}", "member", "id", (json_int_t)u->id, "username", u->username,
                       "display_name", u->display_name, "role", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /conversations/<id>/members */
err_t h_member_add(ctx *c)
{
    conv cv;
    user_row *u;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    if (!strcmp(cv.kind, "direct")) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "A direct conversation is for two people only.");
    if (!conv_is_admin(&cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can add members.");
    const char *role = ctx_str(c, "role");
    if (!role || !*role) role = "member";
    if (!valid_role(role)) return ctx_fail(c, ERR_INVALID_FIELD, "role", "The role must be member, admin or owner.");
    if (strcmp(role, "member") && strcmp(cv.my_role, "owner"))
        return ctx_fail(c, ERR_FORBIDDEN, "role", "Only owners can add admins and owners.");
    if ((e = people_from_input(c, &u))) return e;
    int blocked;
    if ((e = people_blocks(c, u->id, c->user->id, &blocked))) return e;
    if (blocked) return ctx_fail(c, ERR_NOT_ALLOWED, "username", "You cannot add this person to a conversation.");
    const char *p[] = {id_str(c, cv.id)};
    PGresult *r;
    if ((e = db_begin(c->db))) return e;
    if ((e = db_exec(c->db, "conv_lock", 1, p, &r))) goto fail;        /* serialises the count */
    PQclear(r);
    if ((e = db_exec(c->db, "conv_member_count", 1, p, &r))) goto fail;
    long long count = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (count >= c->cfg->max_members) {
        e = ctx_fail(c, ERR_TOO_MANY_MEMBERS, "username",
                     arena_printf(c->a, "A conversation may have at most %ld members.", c->cfg->max_members));
        goto fail;
    }
    if ((e = member_add(c, cv.id, u->id, role))) goto fail;
    long long sys;
    if ((e = conv_system(c, cv.id, arena_printf(c->a, "%s added %s", c->user->display_name, u->display_name), &sys)))
        goto fail;
    if ((e = db_commit(c->db))) goto fail;
    c->status = 201;
    if (!c->rq.is_api) c->redirect = arena_printf(c->a, "/conversations/%lld/settings?done=added", cv.id);
    if ((e = member_out(c, cv.id, u))) return e;
    ev_conv(c, cv.id, json_pack("{s:s,s:I,s:O}", "type", "member.added", "conversation_id", (json_int_t)cv.id,
                                "user", json_object_get(c->out, "member")), 0, 0);
    ev_message(c, "message.created", cv.id, sys);
    return ERR_OK;
fail:
    db_rollback(c->db);
    return e;
}

static err_t target_role(ctx *c, long long conv_id, long long uid, char role[8])
{
    const char *p[] = {id_str(c, conv_id), id_str(c, uid)};
    PGresult *r;
    err_t e = db_exec(c->db, "member_role", 2, p, &r);
    if (e) return e;
    if (!PQntuples(r)) { PQclear(r); return ctx_fail(c, ERR_NOT_FOUND, NULL, "That person is not a member."); }
    snprintf(role, 8, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ERR_OK;
}

static long long owner_count(ctx *c, long long conv_id, err_t *e)
{
    const char *p[] = {id_str(c, conv_id)};
    PGresult *r;
    *e = db_exec(c->db, "member_owners", 1, p, &r);
    if (*e) return 0;
    long long n = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

/* PATCH /conversations/<id>/members/<user_id> */
err_t h_member_role(ctx *c)
{
    conv cv;
    user_row *u;
    long long uid;
    char cur[8];
    err_t e = conv_from_path(c, &cv);
    if (!e) e = param_id(c, "user_id", &uid);
    if (e) return e;
    const char *role = ctx_str(c, "role");
    if (!valid_role(role)) return ctx_fail(c, ERR_INVALID_FIELD, "role", "The role must be member, admin or owner.");
    if (!conv_is_admin(&cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can change roles.");
    if ((e = users_by_id(c, uid, &u)) || (e = target_role(c, cv.id, uid, cur))) return e;
    int owner = !strcmp(cv.my_role, "owner");
    if (!owner && (!strcmp(cur, "owner") || !strcmp(role, "owner")))
        return ctx_fail(c, ERR_FORBIDDEN, "role", "Only owners can make or unmake owners.");
    if ((e = db_begin(c->db))) return e;
    const char *lp[] = {id_str(c, cv.id)};
    PGresult *r;
    if ((e = db_exec(c->db, "conv_lock", 1, lp, &r))) goto fail;
    PQclear(r);
    if (!strcmp(cur, "owner") && strcmp(role, "owner") && owner_count(c, cv.id, &e) <= 1) {
        if (!e) e = ctx_fail(c, ERR_FORBIDDEN, "role", "Every group needs an owner: make someone else owner first.");
        goto fail;
    }
    const char *p[] = {id_str(c, cv.id), id_str(c, uid), role};
    if ((e = db_run(c->db, "member_set_role", 3, p))) goto fail;
    long long sys = 0;
    if (strcmp(cur, role) &&
        (e = conv_system(c, cv.id, arena_printf(c->a, "%s made %s %s", c->user->display_name, u->display_name,
                                                !strcmp(role, "member") ? "a member" : !strcmp(role, "admin") ? "an admin" : "an owner"),
                         &sys)))
        goto fail;
    if ((e = db_commit(c->db))) goto fail;
    if (sys) ev_message(c, "message.created", cv.id, sys);
    if (!c->rq.is_api) c->redirect = arena_printf(c->a, "/conversations/%lld/settings?done=role", cv.id);
    return member_out(c, cv.id, u);
fail:
    db_rollback(c->db);
    return e;
}

/* DELETE /conversations/<id>/members/<user_id>: leave, or remove someone. */
err_t h_member_remove(ctx *c)
{
    conv cv;
    user_row *u;
    long long uid;
    char cur[8];
    err_t e = conv_from_path(c, &cv);
    if (!e) e = param_id(c, "user_id", &uid);
    if (e) return e;
    int self = uid == c->user->id;
    if (!strcmp(cv.kind, "direct")) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "You cannot leave a direct conversation.");
    if (!self && !conv_is_admin(&cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can remove members.");
    if ((e = users_by_id(c, uid, &u)) || (e = target_role(c, cv.id, uid, cur))) return e;
    if (!self && !strcmp(cur, "owner") && strcmp(cv.my_role, "owner"))
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "Admins cannot remove owners.");
    if ((e = db_begin(c->db))) return e;
    const char *lp[] = {id_str(c, cv.id)};
    PGresult *r;
    if ((e = db_exec(c->db, "conv_lock", 1, lp, &r))) goto fail;
    PQclear(r);
    const char *p[] = {id_str(c, cv.id), id_str(c, uid)};
    if ((e = db_run(c->db, "member_delete", 2, p))) goto fail;
    if (!strcmp(cur, "owner") && owner_count(c, cv.id, &e) == 0 && !e) {
        if ((e = db_exec(c->db, "member_heir", 1, lp, &r))) goto fail;     /* the oldest admin, else member */
        PQclear(r);
    }
    if (e) goto fail;
    long long sys;
    if ((e = conv_system(c, cv.id, self ? arena_printf(c->a, "%s left", c->user->display_name)
                                        : arena_printf(c->a, "%s removed %s", c->user->display_name, u->display_name), &sys)))
        goto fail;
    if ((e = db_commit(c->db))) goto fail;
    /* The removed person hears of it once more; the system message goes to those who stay. */
    ev_conv(c, cv.id, json_pack("{s:s,s:I,s:I}", "type", "member.removed", "conversation_id", (json_int_t)cv.id,
                                "user_id", (json_int_t)uid), uid, 0);
    ev_message(c, "message.created", cv.id, sys);
    c->status = 204;
    if (!c->rq.is_api)
        c->redirect = self ? "/conversations?done=left" : arena_printf(c->a, "/conversations/%lld/settings?done=removed", cv.id);
    return ERR_OK;
fail:
    db_rollback(c->db);
    return e;
}
