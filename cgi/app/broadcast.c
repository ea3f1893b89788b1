/* broadcast.c — one message to many people and conversations at once. Each target gets it
 * through the ordinary send path, so the broadcast's client_id makes a retry idempotent
 * target by target. */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "events.h"
#include "people.h"
#include "users.h"

enum { BROADCAST_MAX_TARGETS = 500 };

const db_stmt broadcast_stmts[] = {
    {"broadcast_targets", "SELECT c.id, c.kind, CASE WHEN c.kind = 'direct' THEN coalesce(p.display_name, '') ELSE c.title END "
                          "FROM members m JOIN conversations c ON c.id = m.conversation_id "
                          "LEFT JOIN LATERAL (SELECT u.display_name FROM members o JOIN users u ON u.id = o.user_id "
                          "WHERE c.kind = 'direct' AND o.conversation_id = c.id AND o.user_id <> $1 LIMIT 1) p ON true "
                          "WHERE m.user_id = $1 AND (c.kind <> 'channel' OR m.role IN ('owner', 'admin')) "
                          "ORDER BY c.last_activity_at DESC LIMIT 500"},
    {NULL, NULL},
};

/* The conversations the caller may post in, for the form. */
static err_t targets(svc *c, json_t **out)
{
    const char *p[] = {id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "broadcast_targets", 1, p, &r);
    if (e) return e;
    *out = conv_refs_json(r);
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* GET /broadcasts */
static err_t h_broadcast_form(ctx *c)
{
    json_t *t;
    err_t e = targets(&c->svc, &t);
    if (e) return e;
    c->out = json_pack("{s:o}", "conversations", t);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static json_t *failed(const char *target, const char *idkey, long long id, const char *reason)
{
    return json_pack("{s:s,s:I,s:s,s:s}", "target", target, idkey, (json_int_t)id, "status", "failed", "reason", reason);
}

/* Sends into one conversation and describes the outcome. */
static err_t send_one(ctx *c, conv *cv, json_t *res)
{
    int created;
    long long seq, event_id;
    const char *body = ctx_str(c, "body"), *cid = ctx_str(c, "client_id");
    svc one = svc_aside(&c->svc);                         /* one target's refusal is not the request's */
    err_t e = msg_send(&one, cv, body, cid, 0, NULL, &created, &seq, &event_id);
    if (e == ERR_NOT_ALLOWED || e == ERR_FORBIDDEN) {
        json_object_set_new(res, "status", json_string("failed"));
        json_object_set_new(res, "reason", json_string("not_allowed"));   /* a block is not told */
        return ERR_OK;
    }
    if (e) return e;
    if (created) msg_event_created(&c->svc, cv->id, seq, event_id, NULL);   /* a retry publishes nothing twice */
    json_object_set_new(res, "status", json_string("sent"));
    json_object_set_new(res, "conversation_id", json_integer(cv->id));
    json_object_set_new(res, "seq", json_integer(seq));
    return ERR_OK;
}

/* POST /broadcasts */
static err_t h_broadcast(ctx *c)
{
    const char *body = ctx_str(c, "body");
    err_t be = msg_body_ok(&c->svc, body);
    if (be) return be;
    json_t *uids = json_object_get(c->in, "user_ids"), *names = json_object_get(c->in, "usernames");
    json_t *cids = json_object_get(c->in, "conversation_ids");
    size_t nt = json_array_size(uids) + json_array_size(names) + json_array_size(cids);
    if (nt == 0) return ctx_fail(c, ERR_MISSING_FIELD, "usernames", "Choose at least one person or conversation.");
    if (nt > BROADCAST_MAX_TARGETS)
        return ctx_fail(c, ERR_INVALID_FIELD, "usernames", "A broadcast may have at most 500 targets.");
    json_t *results = json_array();
    err_t e = ERR_OK;
    /* People: by id, then by name; each gets it in the direct conversation with the sender. */
    for (size_t pass = 0; pass < 2 && !e; pass++) {
        json_t *list = pass ? names : uids;
        for (size_t i = 0; i < json_array_size(list) && !e; i++) {
            json_t *item = json_array_get(list, i);
            user_row *u = NULL;
            err_t f = pass ? users_by_username(&c->svc, json_string_value(item), &u)
                           : users_by_id(&c->svc, json_integer_value(item), &u);
            json_t *res = pass ? json_pack("{s:s,s:s}", "target", "user", "username", json_string_value(item))
                               : json_pack("{s:s,s:I}", "target", "user", "user_id", json_integer_value(item));
            json_array_append_new(results, res);
            if (f == ERR_NOT_FOUND) {
                json_object_set_new(res, "status", json_string("failed"));
                json_object_set_new(res, "reason", json_string("not_found"));
                continue;
            }
            if ((e = f)) break;
            json_object_set_new(res, "user_id", json_integer(u->id));
            json_object_set_new(res, "username", json_string(u->username));
            if (u->id == c->svc.user->id) {
                json_object_set_new(res, "status", json_string("failed"));
                json_object_set_new(res, "reason", json_string("not_allowed"));
                continue;
            }
            long long id;
            int created;
            svc one = svc_aside(&c->svc);
            f = conv_direct_open(&one, u, &id, &created);
            if (f == ERR_NOT_ALLOWED) {
                json_object_set_new(res, "status", json_string("failed"));
                json_object_set_new(res, "reason", json_string("not_allowed"));
                continue;
            }
            conv cv;
            if (!f && created) conv_event_created(&c->svc, id);
            if ((e = f) || (e = conv_load(&c->svc, id, &cv))) break;
            json_object_set_new(res, "title", json_string(u->display_name));
            e = send_one(c, &cv, res);
        }
    }
    for (size_t i = 0; i < json_array_size(cids) && !e; i++) {
        long long id = json_integer_value(json_array_get(cids, i));
        conv cv;
        svc one = svc_aside(&c->svc);
        err_t f = conv_load(&one, id, &cv);
        if (f == ERR_NOT_FOUND) {
            json_array_append_new(results, failed("conversation", "conversation_id", id, "not_member"));
            continue;
        }
        if ((e = f)) break;
        json_t *res = json_pack("{s:s,s:I,s:s}", "target", "conversation", "conversation_id", (json_int_t)id,
                                "title", cv.title);
        json_array_append_new(results, res);
        e = send_one(c, &cv, res);
    }
    if (e) { json_decref(results); return e; }
    c->out = json_pack("{s:o}", "results", results);
    c->status = 201;
    if (!c->rq.is_api) {                         /* the form again, with the outcome */
        json_t *t;
        if (targets(&c->svc, &t) == ERR_OK) json_object_set_new(c->out, "conversations", t);
        c->page = "broadcast";
    }
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec f_broadcast[] = {
    {"body", "Message", FV_BYTES, 1, 1, 1048576},
    {"client_id", "client_id", FV_UUID, 1, 0, 0},
    {"user_ids", "user_ids", FV_IDS, 0, 0, 500},
    {"usernames", "Usernames", FV_NAMES, 0, 0, 500},
    {"conversation_ids", "Conversations", FV_IDS, 0, 0, 500},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route broadcast_routes[] = {
    {"GET", "/broadcasts", h_broadcast_form, R_AUTH, "broadcast", NULL, NULL, NULL},
    {"POST", "/broadcasts", h_broadcast, R_AUTH, "broadcast", f_broadcast, h_broadcast_form, NULL},
};
const module broadcast_module = {"broadcast", MODULE_ROUTES(broadcast_routes), broadcast_stmts};
