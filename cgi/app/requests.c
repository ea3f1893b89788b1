/* requests.c — message requests (requests.h): the list, accept, delete, block (and report),
 * and the "allow direct messages from everyone" setting. Who owns what: strings in the
 * request's arena; PGresults cleared where they are read. */
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "conv.h"
#include "events.h"
#include "format.h"
#include "invitations.h"
#include "people.h"
#include "presence.h"
#include "requests.h"
#include "users.h"

/* A request shows only once it holds a message, and never across a block. */
#define REQ_VISIBLE "m.request = 'pending' AND c.last_seq > 0 AND NOT EXISTS (SELECT 1 FROM members o JOIN blocks b " \
                    "ON (b.user_id = m.user_id AND b.blocked_id = o.user_id) OR (b.user_id = o.user_id AND b.blocked_id = m.user_id) " \
                    "WHERE o.conversation_id = c.id AND o.user_id <> m.user_id)"

const db_stmt requests_stmts[] = {
    /* $1 conversation, $2 the recipient, $3 the sender (the caller). */
    {"requests_mark", "UPDATE members m SET request = 'pending' FROM users u "
                      "WHERE m.conversation_id = $1 AND m.user_id = $2 AND u.id = $2 AND NOT u.dm_from_everyone "
                      "AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.user_id = $2 AND k.contact_id = $3) "
                      "AND NOT EXISTS (SELECT 1 FROM members a JOIN members b ON b.conversation_id = a.conversation_id "
                      "AND b.user_id = $3 JOIN conversations x ON x.id = a.conversation_id AND x.kind = 'direct' "
                      "WHERE a.user_id = $2 AND a.conversation_id <> $1 AND a.request IS NULL AND EXISTS "
                      "(SELECT 1 FROM messages y WHERE y.conversation_id = x.id AND y.sender_id = $2))"},
    {"requests_clear", "UPDATE members SET request = NULL WHERE conversation_id = $1 AND user_id = $2 "
                       "AND request IS NOT NULL RETURNING conversation_id"},
    {"requests_delete", "UPDATE members SET request = 'deleted' WHERE conversation_id = $1 AND user_id = $2 "
                        "AND request = 'pending' RETURNING conversation_id"},
    {"requests_pending", "SELECT 1 FROM members WHERE conversation_id = $1 AND user_id = $2 AND request = 'pending'"},
    /* The sender of the request in conversation $1 for $2. */
    {"requests_get", "SELECT o.user_id FROM members m "
                     "JOIN conversations c ON c.id = m.conversation_id "
                     "JOIN members o ON o.conversation_id = c.id AND o.user_id <> m.user_id "
                     "WHERE m.conversation_id = $1 AND m.user_id = $2 AND " REQ_VISIBLE},
    {"requests_list", "SELECT " USERS_PUBLIC_COLS("u") ", c.id, c.e2e, " DB_TS("c.last_activity_at") ", "
                      "(SELECT count(*) FROM messages x WHERE x.conversation_id = c.id AND x.kind = 'text' "
                      "AND x.deleted_at IS NULL), "
                      "coalesce((SELECT x.body FROM messages x WHERE x.conversation_id = c.id AND x.kind = 'text' "
                      "AND x.deleted_at IS NULL ORDER BY x.seq DESC LIMIT 1), '') "
                      "FROM members m JOIN conversations c ON c.id = m.conversation_id "
                      "JOIN members o ON o.conversation_id = c.id AND o.user_id <> m.user_id JOIN users u ON u.id = o.user_id "
                      "WHERE m.user_id = $1 AND " REQ_VISIBLE " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 200"},
    /* Group invitations count as requests: the same rule as invitations.c's INV_VISIBLE. */
    {"requests_counts", "SELECT (SELECT count(*) FROM members m JOIN conversations c ON c.id = m.conversation_id "
                        "WHERE m.user_id = $1 AND " REQ_VISIBLE ") + (SELECT count(*) FROM group_invitations i "
                        "WHERE i.user_id = $1 AND EXISTS (SELECT 1 FROM members a WHERE a.conversation_id = i.conversation_id "
                        "AND a.user_id = i.inviter_id AND a.role IN ('owner', 'admin')) AND NOT EXISTS (SELECT 1 FROM members s "
                        "WHERE s.conversation_id = i.conversation_id AND s.user_id = i.user_id) AND NOT EXISTS (SELECT 1 "
                        "FROM blocks b WHERE (b.user_id = i.user_id AND b.blocked_id = i.inviter_id) OR "
                        "(b.user_id = i.inviter_id AND b.blocked_id = i.user_id))), "
                        "(SELECT count(*) FROM contact_requests WHERE to_id = $1)"},
    {"requests_setting", "SELECT dm_from_everyone FROM users WHERE id = $1"},
    {"requests_setting_set", "UPDATE users SET dm_from_everyone = $2::boolean WHERE id = $1 RETURNING dm_from_everyone"},
    {NULL, NULL},
};

err_t requests_on_direct_open(svc *c, long long conv_id, long long peer_id, int created)
{
    if (!created) {
        const char *p[] = {id_str(c, conv_id), id_str(c, c->user->id)};
        return db_run(c->db, "requests_clear", 2, p);
    }
    const char *p[] = {id_str(c, conv_id), id_str(c, peer_id), id_str(c, c->user->id)};
    return db_run(c->db, "requests_mark", 3, p);
}

/* The caller's request in conv_id is gone; 1 in *changed when it was there. */
static err_t clear_mine(svc *c, long long conv_id, int *changed)
{
    const char *p[] = {id_str(c, conv_id), id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "requests_clear", 2, p, &r);
    if (e) return e;
    if (changed) *changed = PQntuples(r) > 0;
    PQclear(r);
    return ERR_OK;
}

void requests_changed(svc *c, long long uid, long long conv_id, const char *state)
{
    ev_users(c, &uid, 1, json_pack("{s:s,s:I,s:s}", "type", "request.changed", "conversation_id", (json_int_t)conv_id,
                                   "state", state));
}

/* "request.changed" to the caller alone: their conversation list and Requests badge change
 * (the sender is never told). */
static void ev_changed(svc *c, long long conv_id, const char *state)
{
    requests_changed(c, c->user->id, conv_id, state);
}

err_t requests_clear(svc *c, long long conv_id)
{
    int changed = 0;
    err_t e = clear_mine(c, conv_id, &changed);
    if (!e && changed) ev_changed(c, conv_id, "accepted");
    return e;
}

int requests_pending(svc *c, long long conv_id, long long uid)
{
    const char *p[] = {id_str(c, conv_id), id_str(c, uid)};
    PGresult *r;
    if (db_exec(c->db, "requests_pending", 2, p, &r)) return 0;
    int n = PQntuples(r) > 0;
    PQclear(r);
    return n;
}

err_t requests_counts(svc *c, long long *requests, long long *contact_requests)
{
    const char *p[] = {id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "requests_counts", 1, p, &r);
    if (e) return e;
    *requests = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
    *contact_requests = PQntuples(r) ? atoll(PQgetvalue(r, 0, 1)) : 0;
    PQclear(r);
    return ERR_OK;
}

static err_t setting(svc *c, int *allow)
{
    const char *p[] = {id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "requests_setting", 1, p, &r);
    if (e) return e;
    *allow = PQntuples(r) && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return ERR_OK;
}

/* GET /requests */
err_t h_requests(ctx *c)
{
    svc *s = &c->svc;
    int allow;
    err_t e = setting(s, &allow);
    if (e) return e;
    const char *p[] = {id_str(s, s->user->id)};
    PGresult *r;
    if ((e = db_exec(s->db, "requests_list", 1, p, &r))) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        enum { K = USERS_PUBLIC_NCOLS };
        const char *body = PQgetvalue(r, i, K + 4);
        json_array_append_new(arr, json_pack("{s:I,s:o,s:b,s:s,s:I,s:s}", "conversation_id",
                                             (json_int_t)atoll(PQgetvalue(r, i, K)), "user", users_public_json(r, i, 0),
                                             "e2e", PQgetvalue(r, i, K + 1)[0] == 't', "last_activity_at",
                                             PQgetvalue(r, i, K + 2), "messages", (json_int_t)atoll(PQgetvalue(r, i, K + 3)),
                                             "excerpt", PQgetvalue(r, i, K + 1)[0] == 't' ? "Encrypted message"
                                                        : fmt_excerpt(s->a, body, strlen(body), 120)));
    }
    PQclear(r);
    json_t *inv;
    if ((e = invitations_list(s, &inv))) {
        json_decref(arr);
        return e;
    }
    c->out = json_pack("{s:o,s:o,s:b}", "requests", arr, "invitations", inv, "allow_everyone", allow);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

err_t requests_path(ctx *c, const char *stmt, const char *none, long long *conv_id, user_row *other, char *extra,
                    size_t extra_len)
{
    err_t e = param_id(c, "id", conv_id);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, *conv_id), id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, stmt, 2, p, &r))) return e;
    long long uid = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    if (uid && extra) snprintf(extra, extra_len, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    if (!uid) return ctx_fail(c, ERR_NOT_FOUND, NULL, none);
    user_row *u;
    if ((e = users_by_id(&c->svc, uid, &u))) return e;
    *other = *u;
    return ERR_OK;
}

/* The request the path's id names, for the caller, with its sender; 404 for anyone else
 * (the sender, a stranger, a request already answered). */
static err_t path_request(ctx *c, long long *conv_id, user_row *sender)
{
    return requests_path(c, "requests_get", "There is no such message request.", conv_id, sender, NULL, 0);
}

err_t requests_open(ctx *c, long long conv_id)
{
    svc *s = &c->svc;
    conv cv;
    json_t *cj;
    err_t e;
    if ((e = conv_load(s, conv_id, &cv)) || (e = conv_json(s, &cv, 1, &cj))) return e;
    c->out = json_pack("{s:o}", "conversation", cj);
    if (!c->rq.is_api) c->redirect = arena_printf(s->a, "/conversations/%lld", conv_id);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

err_t requests_dismiss(ctx *c, const char *stmt, long long conv_id, const char *state)
{
    svc *s = &c->svc;
    const char *p[] = {id_str(s, conv_id), id_str(s, s->user->id)};
    err_t e = db_run(s->db, stmt, 2, p);
    if (e) return e;
    requests_changed(s, s->user->id, conv_id, state);
    c->status = 204;
    if (!c->rq.is_api) c->redirect = arena_printf(s->a, "/requests?done=%s", state);
    return ERR_OK;
}

err_t requests_block_run(svc *c, long long other_id, const char *drop, const char *const drop_p[2])
{
    const char *pair[] = {id_str(c, c->user->id), id_str(c, other_id)};
    err_t e = db_run(c->db, "blocks_insert", 2, pair);
    if (!e) e = db_run(c->db, "contacts_remove", 2, pair);
    if (!e) e = db_run(c->db, drop, 2, drop_p);
    return e;
}

/* POST /requests/<id>/accept {"add_contact"?}: into the inbox; add_contact also asks them
 * to be a contact (or accepts their contact request). */
static err_t h_request_accept(ctx *c)
{
    svc *s = &c->svc;
    long long id;
    user_row u;
    err_t e = path_request(c, &id, &u);
    if (e) return e;
    int add = json_is_true(json_object_get(c->in, "add_contact"));
    const char *p[] = {id_str(s, s->user->id), id_str(s, u.id)};
    PGresult *r;
    long long accepted = 0, asked = 0;
    if ((e = db_begin(s->db))) return e;
    if ((e = clear_mine(s, id, NULL))) goto fail;
    if (add) {
        if ((e = db_exec(s->db, "contacts_accept", 2, p, &r))) goto fail;
        accepted = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
        PQclear(r);
        if (!accepted) {
            if ((e = db_exec(s->db, "contacts_request", 2, p, &r))) goto fail;
            asked = atoll(PQcmdTuples(r));
            PQclear(r);
        }
    }
    if ((e = db_commit(s->db))) goto fail;
    ev_changed(s, id, "accepted");
    if (accepted) {
        ev_users(s, &s->user->id, 1, json_pack("{s:s,s:o}", "type", "contact.accepted", "user", user_json(&u)));
        ev_users(s, &u.id, 1, json_pack("{s:s,s:o}", "type", "contact.accepted", "user", user_json(s->user)));
        presence_pair_changed(s, s->user->id, u.id);
    } else if (asked) {
        ev_users(s, &u.id, 1, json_pack("{s:s,s:o}", "type", "contact.request", "user", user_json(s->user)));
    }
    return requests_open(c, id);
fail:
    db_rollback(s->db);
    return e;
}

/* POST /requests/<id>/delete, DELETE /requests/<id>: hidden for the caller; the sender is
 * not told and still sees the conversation as before. */
static err_t h_request_delete(ctx *c)
{
    long long id;
    user_row u;
    err_t e = path_request(c, &id, &u);
    if (e) return e;
    return requests_dismiss(c, "requests_delete", id, "deleted");
}

/* POST /requests/<id>/block {"report"?, "reason"?}: the sender is blocked (nothing of theirs
 * reaches the caller again), the request deleted and, with report, reported to the
 * administrators with its last message. */
static err_t h_request_block(ctx *c)
{
    svc *s = &c->svc;
    long long id;
    user_row u;
    err_t e = path_request(c, &id, &u);
    if (e) return e;
    int report = json_is_true(json_object_get(c->in, "report"));
    const char *reason = ctx_str(c, "reason");
    if (!reason || !*reason) reason = "Unwanted message request";
    const char *mine[] = {id_str(s, id), id_str(s, s->user->id)};
    const char *rp[] = {id_str(s, s->user->id), id_str(s, u.id), NULL, NULL, reason};
    long long report_id = 0;
    PGresult *r;
    if ((e = db_begin(s->db))) return e;
    if ((e = requests_block_run(s, u.id, "requests_delete", mine))) goto fail;
    if (report) {
        if ((e = db_exec(s->db, "report_insert", 5, rp, &r))) goto fail;
        report_id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if ((e = db_commit(s->db))) goto fail;
    presence_pair_changed(s, s->user->id, u.id);
    ev_changed(s, id, "blocked");
    if (report_id)
        audit_record(s, "report", s->user->id, u.id, c->rq.client_ip, json_pack("{s:I}", "report_id", (json_int_t)report_id));
    c->status = 201;
    c->out = json_pack("{s:{s:o},s:o}", "blocked", "user", user_json(&u), "report",
                       report_id ? json_pack("{s:I,s:s}", "id", (json_int_t)report_id, "state", "open") : json_null());
    if (!c->rq.is_api) c->redirect = report_id ? "/requests?done=reported" : "/requests?done=blocked";
    return c->out ? ERR_OK : ERR_INTERNAL;
fail:
    db_rollback(s->db);
    return e;
}

/* PATCH /requests/settings (or POST) {"allow_everyone"}: a form without the box checked
 * sends nothing, which means off. */
static err_t h_requests_setting(ctx *c)
{
    svc *s = &c->svc;
    int allow = json_is_true(json_object_get(c->in, "allow_everyone"));
    if (c->rq.is_api && !json_is_boolean(json_object_get(c->in, "allow_everyone")))
        return ctx_fail(c, ERR_MISSING_FIELD, "allow_everyone", "Say whether everyone may message you: true or false.");
    const char *p[] = {id_str(s, s->user->id), allow ? "true" : "false"};
    err_t e = db_run(s->db, "requests_setting_set", 2, p);
    if (e) return e;
    c->out = json_pack("{s:b}", "allow_everyone", allow);
    if (!c->rq.is_api) c->redirect = "/requests?done=saved";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec f_accept[] = {
    {"add_contact", "Add as a contact", FV_BOOL, 0, 0, 0},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_block[] = {
    {"report", "Report", FV_BOOL, 0, 0, 0},
    {"reason", "Reason", FV_MULTILINE, 0, 0, 1000},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_setting[] = {
    {"allow_everyone", "Allow direct messages from everyone", FV_BOOL, 0, 0, 0},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route requests_routes[] = {
    {"GET", "/requests", h_requests, R_AUTH, "requests", NULL, NULL, NULL},
    {"PATCH", "/requests/settings", h_requests_setting, R_AUTH, "requests", f_setting, h_requests, NULL},
    {"POST", "/requests/settings", h_requests_setting, R_AUTH, "requests", f_setting, h_requests, NULL},
    {"POST", "/requests/:id/accept", h_request_accept, R_AUTH, "requests", f_accept, h_requests, NULL},
    {"DELETE", "/requests/:id", h_request_delete, R_AUTH, "requests", NULL, h_requests, NULL},
    {"POST", "/requests/:id/delete", h_request_delete, R_AUTH, "requests", NULL, h_requests, NULL},
    {"POST", "/requests/:id/block", h_request_block, R_AUTH, "requests", f_block, h_requests, NULL},
};
const module requests_module = {"requests", MODULE_ROUTES(requests_routes), requests_stmts};
