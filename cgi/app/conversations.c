/* conversations.c — conversations: loading one for a member, its JSON, direct ones, creating,
 * showing (with a page of history) and changing them. Members are members.c, the list of
 * your conversations inbox.c. */
#include "module.h"
#include "../core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "events.h"
#include "people.h"
#include "presence.h"
#include "inbox.h"
#include "requests.h"
#include "invitations.h"
#include "users.h"
#include "format.h"
#include "../core/num.h"



const db_stmt conv_stmts[] = {
    {"conv_get", "SELECT c.id, c.kind, c.title, c.description, c.e2e, c.last_seq, " DB_TS("c.created_at") ", "
                 DB_TS("c.last_activity_at") ", m.role, m.read_seq, "
                 /* direct only: does a block stand between the caller ($2) and the other member? */
                 "CASE WHEN c.kind = 'direct' THEN EXISTS (SELECT 1 FROM members o JOIN blocks b "
                 "ON (b.user_id = o.user_id AND b.blocked_id = $2) OR (b.user_id = $2 AND b.blocked_id = o.user_id) "
                 "WHERE o.conversation_id = c.id AND o.user_id <> $2) ELSE false END, c.avatar_media_id, "
                 "CASE WHEN m.muted_until > now() THEN " DB_TS("m.muted_until") " END, c.retention_days, m.request, "
                 "c.kind IN ('group', 'channel') AND EXISTS (SELECT 1 FROM outgoing_webhooks w WHERE w.conversation_id = c.id) "
                 "FROM conversations c JOIN members m ON m.conversation_id = c.id AND m.user_id = $2 WHERE c.id = $1"},
    {"conv_members", "SELECT " USERS_REF_COLS("u") ", m.role, CASE WHEN m.muted_until > now() THEN "
                     DB_TS("m.muted_until") " END FROM members m JOIN users u ON u.id = m.user_id "
                     "WHERE m.conversation_id = $1 ORDER BY m.role = 'owner' DESC, m.role = 'admin' DESC, m.joined_at, u.id "
                     "LIMIT " "1000"},
    {"conv_member_count", "SELECT count(*) FROM members WHERE conversation_id = $1"},
    {"conv_peer", "SELECT " USERS_PUBLIC_COLS("u") " FROM members m "
                  "JOIN users u ON u.id = m.user_id WHERE m.conversation_id = $1 AND m.user_id <> $2 LIMIT 1"},
    {"conv_insert", "INSERT INTO conversations (kind, title, description, created_by, e2e) "
                    "VALUES ($1, $2, $3, $4, COALESCE($5::boolean, false)) RETURNING id"},
    {"conv_direct_insert", "INSERT INTO conversations (kind, direct_key, created_by, e2e) "
                           "VALUES ('direct', $1, $2, COALESCE($3::boolean, false)) "
                           "ON CONFLICT (direct_key) DO NOTHING RETURNING id"},
    {"conv_direct_find", "SELECT id FROM conversations WHERE direct_key = $1"},
    {"conv_update", "UPDATE conversations SET title = COALESCE($2, title), description = COALESCE($3, description) "
                    "WHERE id = $1"},
    {"member_insert", "INSERT INTO members (conversation_id, user_id, role, read_seq) "
                      "SELECT $1::bigint, $2::bigint, $3, c.last_seq FROM conversations c WHERE c.id = $1 "
                      "ON CONFLICT DO NOTHING RETURNING user_id"},
    /* retention_days: NULL keeps messages forever (unless the instance's limit says otherwise). */
    {"conv_retention", "UPDATE conversations SET retention_days = $2::int WHERE id = $1"},
    {"conv_instance_retention", "SELECT value FROM instance_settings WHERE key = 'message_retention_days'"},
    {"conv_lock", "SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE"},
    {NULL, NULL},
};

/* conv_get's columns, in its SELECT order. */
enum conv_col { CC_ID, CC_KIND, CC_TITLE, CC_DESCRIPTION, CC_E2E, CC_LAST_SEQ, CC_CREATED, CC_ACTIVITY, CC_ROLE,
                CC_READ_SEQ, CC_BLOCKED, CC_AVATAR, CC_MUTED, CC_RETENTION, CC_REQUEST, CC_HOOKS_OUT };

static const char *copy(svc *c, PGresult *r, int i, int col) { return arena_strdup(c->a, PQgetvalue(r, i, col)); }

err_t conv_load(svc *c, long long id, conv *out)
{
    const char *p[] = {id_str(c, id), id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "conv_get", 2, p, &r);
    if (e) return e;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return svc_fail(c, ERR_NOT_FOUND, NULL, "There is no such conversation, or you are not in it.");
    }
    out->id = id;
    out->kind = copy(c, r, 0, CC_KIND);
    out->title = copy(c, r, 0, CC_TITLE);
    out->description = copy(c, r, 0, CC_DESCRIPTION);
    out->e2e = PQgetvalue(r, 0, CC_E2E)[0] == 't';
    out->last_seq = atoll(PQgetvalue(r, 0, CC_LAST_SEQ));
    out->created_at = copy(c, r, 0, CC_CREATED);
    out->last_activity_at = copy(c, r, 0, CC_ACTIVITY);
    out->my_role = copy(c, r, 0, CC_ROLE);
    out->read_seq = atoll(PQgetvalue(r, 0, CC_READ_SEQ));
    out->blocked = PQgetvalue(r, 0, CC_BLOCKED)[0] == 't';
    out->avatar_id = PQgetisnull(r, 0, CC_AVATAR) ? 0 : atoll(PQgetvalue(r, 0, CC_AVATAR));
    out->muted_until = PQgetisnull(r, 0, CC_MUTED) ? NULL : copy(c, r, 0, CC_MUTED);
    out->retention_days = PQgetisnull(r, 0, CC_RETENTION) ? 0 : atoll(PQgetvalue(r, 0, CC_RETENTION));
    out->request = PQgetisnull(r, 0, CC_REQUEST) ? NULL : copy(c, r, 0, CC_REQUEST);
    out->hooks_out = PQgetvalue(r, 0, CC_HOOKS_OUT)[0] == 't';
    PQclear(r);
    return ERR_OK;
}

err_t conv_from_path(ctx *c, conv *out)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    return e ? e : conv_load(&c->svc, id, out);
}

int conv_is_admin(const conv *cv) { return !strcmp(cv->my_role, "owner") || !strcmp(cv->my_role, "admin"); }
int conv_can_post(const conv *cv) { return !cv->muted_until && (strcmp(cv->kind, "channel") || conv_is_admin(cv)); }

json_t *conv_refs_json(PGresult *r)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                                             "kind", PQgetvalue(r, i, 1), "title", PQgetvalue(r, i, 2)));
    return arr;
}

err_t conv_unblocked(svc *c, const conv *cv, const char *doing)
{
    if (!cv->blocked) return ERR_OK;
    return svc_fail(c, ERR_NOT_ALLOWED, NULL, arena_printf(c->a, "You cannot %s in this conversation.", doing));
}

err_t conv_unmuted(svc *c, const conv *cv, const char *doing)
{
    if (!cv->muted_until) return ERR_OK;
    /* "2026-12-05T22:10:00Z" as "2026-12-05 22:10 UTC" */
    return svc_fail(c, ERR_FORBIDDEN, NULL, arena_printf(c->a, "An owner or admin muted you here until %.10s %.5s UTC: "
                                                         "you can read but not %s.", cv->muted_until, cv->muted_until + 11, doing));
}

/* A member: the user's short form and their role (conv_members). */
static json_t *member_json(PGresult *r, int i)
{
    json_t *m = users_ref_json(r, i, 0);
    if (json_is_object(m)) json_object_set_new(m, "role", json_string(PQgetvalue(r, i, USERS_REF_NCOLS)));
    if (json_is_object(m))
        json_object_set_new(m, "muted_until", PQgetisnull(r, i, USERS_REF_NCOLS + 1) ? json_null()
                                                : json_string(PQgetvalue(r, i, USERS_REF_NCOLS + 1)));
    return m;
}

err_t conv_json(svc *c, const conv *cv, int with_members, json_t **out)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:b,s:s,s:s,s:s,s:I}", "id", (json_int_t)cv->id, "kind", cv->kind,
                          "title", cv->title, "description", cv->description, "last_seq", (json_int_t)cv->last_seq,
                          "e2e", cv->e2e, "created_at", cv->created_at, "last_activity_at", cv->last_activity_at,
                          "my_role", cv->my_role, "read_seq", (json_int_t)cv->read_seq);
    if (!o) return ERR_INTERNAL;
    json_object_set_new(o, "my_muted_until", cv->muted_until ? json_string(cv->muted_until) : json_null());
    json_object_set_new(o, "avatar_url", cv->avatar_id ? json_sprintf("/api/v1/media/%lld/thumb/320", cv->avatar_id)
                                                       : json_null());
    json_object_set_new(o, "retention_days", cv->retention_days ? json_integer(cv->retention_days) : json_null());
    json_object_set_new(o, "request", cv->request ? json_string(cv->request) : json_null());
    const char *p[] = {id_str(c, cv->id), id_str(c, c->user->id)};
    PGresult *r;
    err_t e;
    if (!strcmp(cv->kind, "direct")) {
        if ((e = db_exec(c->db, "conv_peer", 2, p, &r))) { json_decref(o); return e; }
        if (PQntuples(r)) {
            json_object_set_new(o, "peer", users_public_json(r, 0, 0));
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

err_t conv_system(svc *c, long long conv_id, const char *text, long long *seq)
{
    conv cv = {.id = conv_id, .kind = "system"};
    long long s;
    int created;
    err_t e = msg_send(c, &cv, text, NULL, 0, NULL, &created, &s, NULL);
    if (!e && seq) *seq = s;
    return e;
}

err_t conv_add_member(svc *c, long long conv_id, long long uid, const char *role)
{
    const char *p[] = {id_str(c, conv_id), id_str(c, uid), role};
    PGresult *r;
    err_t e = db_exec(c->db, "member_insert", 3, p, &r);
    if (e) return e;
    int added = PQntuples(r) == 1;
    PQclear(r);
    return added ? ERR_OK : svc_fail(c, ERR_ALREADY_MEMBER, "username", "That person is already a member.");
}

err_t conv_direct_open(svc *c, user_row *peer, long long *id, int *created)
{
    return conv_direct_open_e2e(c, peer, 0, id, created);
}

err_t conv_direct_open_e2e(svc *c, user_row *peer, int e2e, long long *id, int *created)
{
    int blocked;
    err_t e = people_block_between(c, c->user->id, peer->id, &blocked);
    if (e) return e;
    if (blocked) return svc_fail(c, ERR_NOT_ALLOWED, "username", "You cannot start a conversation with this person.");
    long long lo = c->user->id < peer->id ? c->user->id : peer->id, hi = lo == c->user->id ? peer->id : c->user->id;
    /* The encrypted one is a conversation of its own, beside the plain one. */
    const char *key = arena_printf(c->a, e2e ? "%lld:%lld:e2e" : "%lld:%lld", lo, hi);
    const char *p[] = {key, id_str(c, c->user->id), e2e ? "true" : NULL};
    PGresult *r;
    if ((e = db_begin(c->db))) return e;
    if ((e = db_exec(c->db, "conv_direct_insert", 3, p, &r))) goto fail;
    *created = PQntuples(r) == 1;
    if (*created) {
        *id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        if ((e = conv_add_member(c, *id, c->user->id, "member")) || (e = conv_add_member(c, *id, peer->id, "member"))) goto fail;
    } else {
        PQclear(r);
        if ((e = db_exec(c->db, "conv_direct_find", 1, p, &r))) goto fail;
        *id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if ((e = requests_on_direct_open(c, *id, peer->id, *created))) goto fail;   /* a stranger's: a request */
    return db_commit(c->db);
fail:
    db_rollback(c->db);
    return e;
}

void conv_event_created(svc *c, long long conv_id)
{
    conv cv;
    json_t *mine, *theirs;
    svc aside = svc_aside(c);                            /* a failure here is not the caller's */
    if (conv_load(&aside, conv_id, &cv) || conv_json(&aside, &cv, 1, &mine)) {
        log_warn("events: conversation.created %lld not published: not loaded", conv_id);
        return;
    }
    /* Everyone else joined as a plain member with nothing read; a direct one's peer is us. */
    theirs = json_deep_copy(mine);
    if (theirs) {
        json_object_set_new(theirs, "my_role", json_string("member"));
        json_object_set_new(theirs, "read_seq", json_integer(0));
        if (!strcmp(cv.kind, "direct")) {
            json_object_set_new(theirs, "peer", user_json(c->user));
            json_object_set_new(theirs, "title", json_string(c->user->display_name));
            json_t *peer = json_object_get(mine, "peer");
            int pending = json_is_object(peer) && requests_pending(&aside, conv_id, json_integer_value(json_object_get(peer, "id")));
            json_object_set_new(theirs, "request", pending ? json_string("pending") : json_null());
        }
    }
    long long me = c->user->id;
    ev_users(c, &me, 1, json_pack("{s:s,s:o}", "type", "conversation.created", "conversation", mine));
    if (theirs) ev_conv(c, conv_id, json_pack("{s:s,s:o}", "type", "conversation.created", "conversation", theirs), 0, me);
}

/* POST /conversations */
static err_t h_conv_create(ctx *c)
{
    const char *kind = ctx_str(c, "kind");
    if (strcmp(kind, "direct") && strcmp(kind, "group") && strcmp(kind, "channel"))
        return ctx_fail(c, ERR_INVALID_FIELD, "kind", "The kind must be direct, group or channel.");
    json_t *members = json_object_get(c->in, "members");
    int e2e = json_is_true(json_object_get(c->in, "e2e"));
    if (e2e && !strcmp(kind, "channel"))
        return ctx_fail(c, ERR_INVALID_FIELD, "e2e", "Only direct conversations and groups can be end-to-end encrypted.");
    user_row **people;
    size_t n;
    if (!strcmp(kind, "direct")) {
        const char *uname = ctx_str(c, "username");
        err_t e = people_resolve_list(&c->svc, uname && *uname ? json_object_get(c->in, "username") : members,
                                      uname && *uname ? "username" : "members", 2, &people, &n);
        if (e == ERR_TOO_MANY_MEMBERS || (!e && n != 1))
            return ctx_fail(c, ERR_INVALID_FIELD, "members", "A direct conversation is with exactly one other person.");
        if (e) return e;
        if (people[0]->id == c->svc.user->id)
            return ctx_fail(c, ERR_INVALID_FIELD, "members", "A direct conversation is with someone else.");
        long long id;
        int created;
        if ((e = conv_direct_open_e2e(&c->svc, people[0], e2e, &id, &created))) return e;
        if (created) conv_event_created(&c->svc, id);                  /* committed inside conv_direct_open */
        conv cv;
        json_t *cj;
        if ((e = conv_load(&c->svc, id, &cv)) || (e = conv_json(&c->svc, &cv, 1, &cj))) return e;
        c->out = json_pack("{s:o}", "conversation", cj);
        c->status = created ? 201 : 200;
        if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld", id);
        return c->out ? ERR_OK : ERR_INTERNAL;
    }
    const char *title = ctx_str(c, "title");
    if (!title || !*title) return ctx_fail(c, ERR_MISSING_FIELD, "title", "A group or channel needs a title.");
    size_t max = (size_t)c->svc.cfg->max_members - 1;
    err_t e = people_resolve_list(&c->svc, members, "members", max, &people, &n);
    if (e) return e;
    for (size_t i = 0; i < n; i++) {
        int blocked;
        if (people[i]->id == c->svc.user->id) continue;
        if ((e = people_blocks(&c->svc, people[i]->id, c->svc.user->id, &blocked))) return e;
        if (blocked) return ctx_fail(c, ERR_NOT_ALLOWED, "members",
                                     arena_printf(c->svc.a, "You cannot add %s to a conversation.", people[i]->username));
    }
    const char *desc = ctx_str(c, "description");
    const char *p[] = {kind, title, desc ? desc : "", id_str(&c->svc, c->svc.user->id), e2e ? "true" : NULL};
    PGresult *r;
    if ((e = db_begin(c->svc.db))) return e;
    if ((e = db_exec(c->svc.db, "conv_insert", 5, p, &r))) goto fail;
    long long id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if ((e = conv_add_member(&c->svc, id, c->svc.user->id, "owner"))) goto fail;
    /* As when added later: who is not the creator's contact (and does not allow everyone)
     * is invited, not added (invitations.h); the others are members at once. */
    int *invited = arena_alloc(c->svc.a, sizeof *invited * (n + 1));
    if (!invited) { e = ERR_INTERNAL; goto fail; }
    size_t ninvited = 0;
    for (size_t i = 0; i < n; i++) {
        invited[i] = 0;
        if (people[i]->id == c->svc.user->id) continue;
        if ((e = invitations_invite_if_needed(&c->svc, id, people[i], "member", &invited[i]))) goto fail;
        if (!invited[i] && (e = conv_add_member(&c->svc, id, people[i]->id, "member"))) goto fail;
        ninvited += (size_t)invited[i];
    }
    long long sys;
    if ((e = conv_system(&c->svc, id, arena_printf(c->svc.a, "%s created the %s \xE2\x80\x9C%s\xE2\x80\x9D", c->svc.user->display_name,
                                             kind, title), &sys))) goto fail;
    if ((e = db_commit(c->svc.db))) goto fail;
    conv_event_created(&c->svc, id);
    msg_event_created(&c->svc, id, sys, 0, NULL);
    json_t *inv = json_array();                        /* who was invited: told now, after the commit */
    for (size_t i = 0; i < n; i++) {
        if (!invited[i]) continue;
        requests_changed(&c->svc, people[i]->id, id, "invited");
        if (inv) json_array_append_new(inv, users_ref_of(people[i]));
    }
    conv cv;
    json_t *cj;
    if ((e = conv_load(&c->svc, id, &cv)) || (e = conv_json(&c->svc, &cv, 1, &cj))) { json_decref(inv); return e; }
    c->out = json_pack("{s:o,s:o}", "conversation", cj, "invited", inv ? inv : json_array());
    c->status = 201;
    if (!c->rq.is_api)      /* with invitations: the settings page, which says so and lists them */
        c->redirect = ninvited ? arena_printf(c->svc.a, "/conversations/%lld/settings?done=invited", id)
                               : arena_printf(c->svc.a, "/conversations/%lld", id);
    return c->out ? ERR_OK : ERR_INTERNAL;
fail:
    db_rollback(c->svc.db);
    return e;
}

/* Presence for the peer and, in conversations of at most PRESENCE_MAX_CONV, the members. */
static void conv_presence(svc *c, json_t *cj)
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
    msg_cursor cur;
    if ((e = msg_page(&c->svc, &cv, msg_cursor_of(c, &cur), &page))) return e;
    /* A person opening the page has read it; a prefetch, a preview or a script's fetch has
     * not (the page's script posts /read when it is seen). */
    long long was_read = cv.read_seq;                   /* for the "New messages" line */
    if (!c->rq.is_api && !c->rq.passive && !cv.blocked) {
        json_t *msgs = json_object_get(page, "messages");
        size_t n = json_array_size(msgs);
        if (n) {
            long long last = json_integer_value(json_object_get(json_array_get(msgs, n - 1), "seq"));
            long long rs;
            if (last > cv.read_seq && (e = msg_mark_read(&c->svc, &cv, last, &rs, NULL)) == ERR_OK && rs > cv.read_seq) {
                cv.read_seq = rs;
                msg_event_read(&c->svc, cv.id, c->svc.user->id, rs);
            }
        }
    }
    /* ?reply_to=<seq>: the message being answered, for the composer's "Replying to" strip. */
    json_t *rj;
    long long rseq;
    if (ctx_qint(c, "reply_to", &rseq) && msg_get(&c->svc, cv.id, rseq, &rj) == ERR_OK) {
        const char *body = json_string_value(json_object_get(rj, "body"));
        json_object_set_new(rj, "excerpt", json_string(body ? fmt_excerpt(c->svc.a, body, strlen(body), 120) : ""));
        json_object_set_new(page, "reply_to", rj);
    }
    if ((e = conv_json(&c->svc, &cv, 1, &cj))) { json_decref(page); return e; }
    conv_presence(&c->svc, cj);
    json_object_set_new(page, "conversation", cj);
    /* The page (not the JSON answer) shows your conversation list beside this one, and a
     * "New messages" line before the first message after where you had read. */
    json_t *list;
    if (!c->rq.is_api) {
        if (was_read < cv.last_seq) json_object_set_new(page, "unread_after", json_integer(was_read));
        if ((e = inbox_list(c, &list))) { json_decref(page); return e; }
        json_object_set_new(page, "inbox", list);
    }
    c->out = page;
    return ERR_OK;
}

/* GET /conversations/<id>/settings */
err_t h_conv_settings(ctx *c)
{
    conv cv;
    json_t *cj;
    err_t e = conv_from_path(c, &cv);
    if (!e) e = conv_json(&c->svc, &cv, 1, &cj);
    if (e) return e;
    conv_presence(&c->svc, cj);
    long long inst = 0;
    PGresult *r;
    if ((e = db_exec(c->svc.db, "conv_instance_retention", 0, NULL, &r))) { json_decref(cj); return e; }
    if (PQntuples(r) == 1) inst = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    long long eff = cv.retention_days && (!inst || cv.retention_days < inst) ? cv.retention_days : inst;
    json_object_set_new(cj, "instance_retention_days", inst ? json_integer(inst) : json_null());
    json_object_set_new(cj, "effective_retention_days", eff ? json_integer(eff) : json_null());
    json_t *inv = NULL;                                   /* pending invitations: its managers only */
    if (strcmp(cv.kind, "direct") && conv_is_admin(&cv) && (e = invitations_pending(&c->svc, cv.id, &inv))) {
        json_decref(cj);
        return e;
    }
    if (inv) json_object_set_new(cj, "invitations", inv);
    c->out = json_pack("{s:o}", "conversation", cj);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* PATCH /conversations/<id> */
static err_t h_conv_update(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    if (!strcmp(cv.kind, "direct")) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "A direct conversation has no title to change.");
    if (!conv_is_admin(&cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can change the settings.");
    const char *title = ctx_str(c, "title"), *desc = ctx_str(c, "description");
    if (title && !*title) return ctx_fail(c, ERR_INVALID_FIELD, "title", "The title cannot be empty.");
    /* retention_days: 1-36500, or 0 / null / an empty form field to keep messages forever. */
    json_t *rd = json_object_get(c->in, "retention_days");
    int set_retention = rd != NULL;
    long long days = json_is_integer(rd) ? json_integer_value(rd) : 0;
    const char *p[] = {id_str(&c->svc, cv.id), title, desc};
    if ((e = db_begin(c->svc.db))) return e;
    if ((e = db_run(c->svc.db, "conv_update", 3, p))) goto fail;
    const char *q[] = {p[0], days ? id_str(&c->svc, days) : NULL};
    if (set_retention && (e = db_run(c->svc.db, "conv_retention", 2, q))) goto fail;
    long long sys = 0;
    if (title && strcmp(title, cv.title) &&
        (e = conv_system(&c->svc, cv.id, arena_printf(c->svc.a, "%s renamed the %s to \xE2\x80\x9C%s\xE2\x80\x9D",
                                                c->svc.user->display_name, cv.kind, title), &sys))) goto fail;
    /* Everyone is told when the history starts to go, or stops going. */
    long long note = 0;
    if (set_retention && days != cv.retention_days &&
        (e = conv_system(&c->svc, cv.id, days ? arena_printf(c->svc.a, "%s set messages to be deleted after %lld days",
                                                                c->svc.user->display_name, days)
                                              : arena_printf(c->svc.a, "%s removed the conversation's time limit on messages",
                                                             c->svc.user->display_name),
                         &note))) goto fail;
    if ((e = db_commit(c->svc.db))) goto fail;
    json_t *cj;
    if ((e = conv_load(&c->svc, cv.id, &cv)) || (e = conv_json(&c->svc, &cv, 1, &cj))) return e;
    ev_conv(&c->svc, cv.id, json_pack("{s:s,s:I,s:s,s:s,s:o}", "type", "conversation.updated", "conversation_id",
                                (json_int_t)cv.id, "title", cv.title, "description", cv.description, "retention_days",
                                cv.retention_days ? json_integer(cv.retention_days) : json_null()), 0, 0);
    if (sys) msg_event_created(&c->svc, cv.id, sys, 0, NULL);
    if (note) msg_event_created(&c->svc, cv.id, note, 0, NULL);
    c->out = json_pack("{s:o}", "conversation", cj);
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld/settings?done=saved", cv.id);
    return c->out ? ERR_OK : ERR_INTERNAL;
fail:
    db_rollback(c->svc.db);
    return e;
}

/* ---- routes (module.h) ---- */

#define Q_HISTORY \
    {"before", "before", FV_INT, 0, 0, 999999999999999LL}, {"after", "after", FV_INT, 0, 0, 999999999999999LL}, \
    {"around", "around", FV_INT, 0, 0, 999999999999999LL}, {"limit", "limit", FV_INT, 0, 1, 200}

static const field_spec f_conv_create[] = {
    {"kind", "Kind", FV_TEXT, 1, 1, 16},
    {"title", "Title", FV_TEXT, 0, 0, 100},
    {"description", "Description", FV_MULTILINE, 0, 0, 1000},
    {"username", "Username", FV_USERNAME, 0, 3, 32},
    {"e2e", "End-to-end encrypted", FV_BOOL, 0, 0, 0},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec q_conv_show[] = {Q_HISTORY, {"reply_to", "reply_to", FV_INT, 0, 1, 999999999999999LL},
                                         {NULL, NULL, 0, 0, 0, 0}};
static const field_spec f_conv_update[] = {
    {"title", "Title", FV_TEXT, 0, 0, 100},
    {"description", "Description", FV_MULTILINE, 0, 0, 1000},
    {"retention_days", "Delete messages after (days)", FV_INT, 0, 0, 36500},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route conv_routes[] = {
    {"POST", "/conversations", h_conv_create, R_AUTH, "conversations", f_conv_create, h_convs, NULL},
    {"GET", "/conversations/:id", h_conv_show, R_AUTH, "conversation", NULL, NULL, q_conv_show},
    {"PATCH", "/conversations/:id", h_conv_update, R_AUTH, "conversation_settings", f_conv_update, h_conv_settings, NULL},
    {"GET", "/conversations/:id/settings", h_conv_settings, R_AUTH, "conversation_settings", NULL, NULL, NULL},
    {"POST", "/conversations/:id/settings", h_conv_update, R_AUTH, "conversation_settings", f_conv_update, h_conv_settings, NULL},
};
const module conv_module = {"conversations", MODULE_ROUTES(conv_routes), conv_stmts};
