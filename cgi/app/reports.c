/* reports.c — moderation: anyone reports a message they can see, or a person; the
 * administrators see open reports with the messages around a reported one, and resolve
 * them (remove the message, warn, deactivate, or dismiss); the reporter is told. */
#include "module.h"
#include "../store/pgarr.h"
#include <stdlib.h>
#include <string.h>
#include "admin.h"
#include "audit.h"
#include "conv.h"
#include "events.h"
#include "msg.h"
#include "people.h"
#include "users.h"

#define REPORT_COLS "r.id, r.reason, r.state, r.outcome, " DB_TS("r.created_at") ", " DB_TS("r.resolved_at") ", " \
                    "r.conversation_id, r.seq, " USERS_REF_COLS("ru") ", " USERS_REF_COLS("rp")
enum { RC_ID, RC_REASON, RC_STATE, RC_OUTCOME, RC_CREATED, RC_RESOLVED, RC_CONV, RC_SEQ, RC_REPORTER,
       RC_USER = RC_REPORTER + USERS_REF_NCOLS };
#define REPORT_FROM " FROM reports r LEFT JOIN users ru ON ru.id = r.reporter_id LEFT JOIN users rp ON rp.id = r.user_id "

const db_stmt report_stmts[] = {
    {"report_insert", "INSERT INTO reports (reporter_id, user_id, conversation_id, seq, reason) "
                      "VALUES ($1, $2, $3::bigint, $4::bigint, $5) RETURNING id"},
    {"report_mine", "SELECT " REPORT_COLS REPORT_FROM "WHERE r.reporter_id = $1 ORDER BY r.id DESC LIMIT 100"},
    {"report_list", "SELECT " REPORT_COLS REPORT_FROM "WHERE r.state = $1 ORDER BY r.id LIMIT 100"},
    {"report_get", "SELECT " REPORT_COLS ", r.reporter_id" REPORT_FROM "WHERE r.id = $1"},
    /* The messages around each reported one ($1 conversations, $2 seqs, in pairs), as any
     * member saw them (no member is needed: the administrator reads what the reporter could
     * see); the pair's position first. One statement for the whole list. */
    {"report_context", "SELECT x.ord, " MSG_COLS " FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS x (c, s, ord) "
                       "JOIN messages m ON m.conversation_id = x.c AND m.seq BETWEEN x.s - 3 AND x.s + 3 " MSG_JOINS " "
                       "ORDER BY x.ord, m.seq"},
    {"report_resolve", "UPDATE reports SET state = 'resolved', outcome = $2, resolved_by = $3, resolved_at = now() "
                       "WHERE id = $1 AND state = 'open'"},
    {"report_remove_msg", "WITH x AS (DELETE FROM reactions WHERE conversation_id = $1 AND seq = $2), "
                          "f AS (DELETE FROM message_media WHERE conversation_id = $1 AND seq = $2) "
                          "UPDATE messages SET body = NULL, deleted_at = now(), edited_at = NULL, removed_by = $3 "
                          "WHERE conversation_id = $1 AND seq = $2 AND deleted_at IS NULL"},
    {NULL, NULL},
};

/* One report row as JSON (without the context). */
static json_t *report_json(PGresult *r, int i)
{
#define V(k) PQgetvalue(r, i, k)
#define NUL(k) PQgetisnull(r, i, k)
    json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:s,s:o,s:o,s:o}", "id", (json_int_t)atoll(V(RC_ID)), "reason", V(RC_REASON),
                          "state", V(RC_STATE), "outcome", NUL(RC_OUTCOME) ? json_null() : json_string(V(RC_OUTCOME)),
                          "created_at", V(RC_CREATED), "resolved_at", NUL(RC_RESOLVED) ? json_null() : json_string(V(RC_RESOLVED)),
                          "reporter", users_ref_json(r, i, RC_REPORTER), "user", users_ref_json(r, i, RC_USER));
    if (o && !NUL(RC_CONV))
        json_object_set_new(o, "message", json_pack("{s:I,s:I}", "conversation_id", (json_int_t)atoll(V(RC_CONV)),
                                                    "seq", (json_int_t)atoll(V(RC_SEQ))));
    return o;
#undef V
#undef NUL
}

/* What a report form is about, as {"message":…,"conversation":{id,title}} or {"user":…}:
 * a message the caller can see (404 otherwise), or a person. */
static err_t report_subject(ctx *c, long long conv_id, long long seq, long long uid)
{
    err_t e;
    if (conv_id && seq) {
        conv cv;
        json_t *m;
        if ((e = conv_load(&c->svc, conv_id, &cv))) return e;
        if ((e = msg_get(&c->svc, cv.id, seq, &m)))
            return e == ERR_NOT_FOUND ? ctx_fail(c, e, "seq", "There is no such message.") : e;
        c->out = json_pack("{s:o,s:{s:I,s:s}}", "message", m, "conversation", "id", (json_int_t)cv.id, "title", cv.title);
    } else if (uid) {
        user_row *u;
        if ((e = users_by_id(&c->svc, uid, &u)))
            return e == ERR_NOT_FOUND ? ctx_fail(c, e, "user_id", "There is no such person.") : e;
        c->out = json_pack("{s:o}", "user", user_json(u));
    } else {
        return ctx_fail(c, ERR_MISSING_FIELD, NULL, "Say what you report: a message (conversation_id and seq) or a person (user_id).");
    }
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /reports/new?conversation_id=&seq= or ?user_id=: the report form, showing what it is about. */
static err_t h_report_new(ctx *c)
{
    long long conv_id = 0, seq = 0, uid = 0;
    ctx_qint(c, "conversation_id", &conv_id);
    ctx_qint(c, "seq", &seq);
    ctx_qint(c, "user_id", &uid);
    return report_subject(c, conv_id, seq, uid);
}

/* A failed report form comes back with what it was about. */
static err_t h_report_refill(ctx *c)
{
    json_t *in = c->in;
    return report_subject(c, json_integer_value(json_object_get(in, "conversation_id")),
                          json_integer_value(json_object_get(in, "seq")), json_integer_value(json_object_get(in, "user_id")));
}

/* POST /reports {"conversation_id","seq","reason"} or {"user_id","reason"} */
static err_t h_report(ctx *c)
{
    const char *reason = ctx_str(c, "reason");
    json_t *cv_id = json_object_get(c->in, "conversation_id"), *seq = json_object_get(c->in, "seq"),
           *uid = json_object_get(c->in, "user_id");
    long long user = 0, conv_id = 0, s = 0;
    err_t e;
    if (json_is_integer(cv_id) && json_is_integer(seq)) {
        conv cv;                                     /* only what you can see (404 otherwise) */
        if ((e = conv_load(&c->svc, json_integer_value(cv_id), &cv))) return e;
        json_t *m;
        if ((e = msg_get(&c->svc, cv.id, json_integer_value(seq), &m)))
            return e == ERR_NOT_FOUND ? ctx_fail(c, e, "seq", "There is no such message.") : e;
        int gone = json_is_true(json_object_get(m, "deleted"));
        json_t *sender = json_object_get(m, "sender");
        user = json_is_object(sender) ? json_integer_value(json_object_get(sender, "id")) : 0;
        json_decref(m);
        if (gone) return ctx_fail(c, ERR_INVALID_FIELD, "seq", "That message was deleted already.");
        conv_id = cv.id;
        s = json_integer_value(seq);
    } else if (json_is_integer(uid)) {
        user_row *u;
        if ((e = users_by_id(&c->svc, json_integer_value(uid), &u)))
            return e == ERR_NOT_FOUND ? ctx_fail(c, e, "user_id", "There is no such person.") : e;
        user = u->id;
    } else {
        return ctx_fail(c, ERR_MISSING_FIELD, NULL, "Say what you report: a message (conversation_id and seq) or a person (user_id).");
    }
    if (user == c->svc.user->id) return ctx_fail(c, ERR_INVALID_FIELD, NULL, "You cannot report yourself.");
    const char *p[] = {id_str(&c->svc, c->svc.user->id), user ? id_str(&c->svc, user) : NULL,
                       conv_id ? id_str(&c->svc, conv_id) : NULL, conv_id ? id_str(&c->svc, s) : NULL, reason};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "report_insert", 5, p, &r))) return e;
    long long id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    audit_record(&c->svc, "report", c->svc.user->id, user, c->rq.client_ip, json_pack("{s:I}", "report_id", (json_int_t)id));
    c->out = json_pack("{s:{s:I,s:s}}", "report", "id", (json_int_t)id, "state", "open");
    c->status = 201;
    if (!c->rq.is_api) c->redirect = "/reports?done=reported";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* The reports of a statement as a JSON array. */
static err_t report_rows(ctx *c, const char *stmt, const char *arg, json_t **out)
{
    PGresult *r;
    err_t e = db_exec(c->svc.db, stmt, 1, &arg, &r);
    if (e) return e;
    *out = json_array();
    for (int i = 0; *out && i < PQntuples(r); i++) json_array_append_new(*out, report_json(r, i));
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* GET /reports: yours, and what became of them. */
static err_t h_my_reports(ctx *c)
{
    json_t *arr;
    err_t e = report_rows(c, "report_mine", id_str(&c->svc, c->svc.user->id), &arr);
    if (e) return e;
    c->out = json_pack("{s:o}", "reports", arr);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /admin/reports?state=open|resolved: with the messages around each reported one. */
static err_t h_admin_reports(ctx *c)
{
    err_t e = admin_require(c);
    if (e) return e;
    const char *state = ctx_qstr(c, "state");
    if (state && strcmp(state, "open") && strcmp(state, "resolved"))
        return ctx_fail(c, ERR_INVALID_FIELD, "state", "state is open or resolved.");
    json_t *arr;
    if ((e = report_rows(c, "report_list", state ? state : "open", &arr))) return e;
    /* Every report's message as two array literals, in the list's order (pair k: report k). */
    pgarr convs, seqs;
    pgarr_init(&convs);
    pgarr_init(&seqs);
    size_t i;
    json_t *rep;
    json_array_foreach(arr, i, rep) {
        json_t *m = json_object_get(rep, "message");
        pgarr_id(&convs, m ? json_integer_value(json_object_get(m, "conversation_id")) : 0);
        pgarr_id(&seqs, m ? json_integer_value(json_object_get(m, "seq")) : 0);
        if (m) json_object_set_new(rep, "context", json_array());     /* a person's report has none */
    }
    const char *p[] = {pgarr_done(&convs, c->svc.a), pgarr_done(&seqs, c->svc.a)};
    PGresult *r;
    if (!p[0] || !p[1]) e = ERR_INTERNAL;
    else e = db_exec(c->svc.db, "report_context", 2, p, &r);
    if (e) { json_decref(arr); return e; }
    for (int k = 0; k < PQntuples(r); k++) {                 /* rows of report ord - 1, in seq order */
        rep = json_array_get(arr, (size_t)atoll(PQgetvalue(r, k, 0)) - 1);
        json_t *about = json_object_get(rep, "message");
        long long conv_id = json_integer_value(json_object_get(about, "conversation_id"));
        json_t *m = about ? msg_row_json(&c->svc, r, k, 1, conv_id, NULL) : NULL;
        if (m) json_array_append_new(json_object_get(rep, "context"), m);
    }
    PQclear(r);
    c->out = json_pack("{s:o}", "reports", arr);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /admin/reports/<id>/resolve {"action":"remove"|"warn"|"deactivate"|"dismiss"} */
static err_t h_admin_resolve(ctx *c)
{
    long long id;
    err_t e = admin_require(c);
    if (e || (e = param_id(c, "id", &id))) return e;
    const char *action = ctx_str(c, "action");
    static const char *const actions[][2] = {{"remove", "removed"}, {"warn", "warned"}, {"deactivate", "deactivated"},
                                             {"dismiss", "dismissed"}};
    const char *outcome = NULL;
    for (size_t k = 0; k < sizeof actions / sizeof actions[0]; k++)
        if (!strcmp(action, actions[k][0])) outcome = actions[k][1];
    if (!outcome) return ctx_fail(c, ERR_INVALID_FIELD, "action", "The action is remove, warn, deactivate or dismiss.");
    const char *idp = id_str(&c->svc, id);
    PGresult *r;
    if ((e = db_exec(c->svc.db, "report_get", 1, &idp, &r))) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such report."); }
    int open = !strcmp(PQgetvalue(r, 0, RC_STATE), "open");
    long long user = PQgetisnull(r, 0, RC_USER) ? 0 : atoll(PQgetvalue(r, 0, RC_USER));
    long long conv_id = PQgetisnull(r, 0, RC_CONV) ? 0 : atoll(PQgetvalue(r, 0, RC_CONV));
    long long seq = conv_id ? atoll(PQgetvalue(r, 0, RC_SEQ)) : 0;
    long long reporter = atoll(PQgetvalue(r, 0, RC_USER + USERS_REF_NCOLS));
    PQclear(r);
    if (!open) return ctx_fail(c, ERR_CONFLICT, NULL, "This report was resolved already.");
    if (!strcmp(outcome, "removed")) {
        if (!conv_id) return ctx_fail(c, ERR_INVALID_FIELD, "action", "Only a reported message can be removed.");
        const char *p[] = {id_str(&c->svc, conv_id), id_str(&c->svc, seq), id_str(&c->svc, c->svc.user->id)};
        if ((e = db_run(c->svc.db, "report_remove_msg", 3, p))) return e;
        ev_conv(&c->svc, conv_id, json_pack("{s:s,s:I,s:I}", "type", "message.deleted", "conversation_id",
                                            (json_int_t)conv_id, "seq", (json_int_t)seq), 0, 0);
    } else if (!strcmp(outcome, "deactivated")) {
        if (!user || user == c->svc.user->id) return ctx_fail(c, ERR_INVALID_FIELD, "action", "There is nobody to deactivate.");
        size_t sessions, tokens;
        if ((e = admin_deactivate_user(c, user, &sessions, &tokens))) return e;
    } else if (!strcmp(outcome, "warned") && user) {
        ev_users(&c->svc, &user, 1, json_pack("{s:s,s:s}", "type", "moderation.warning", "message",
                 "An administrator reviewed a report about something you posted and warns you to keep to this server's rules."));
    }
    const char *q[] = {idp, outcome, id_str(&c->svc, c->svc.user->id)};
    if ((e = db_run(c->svc.db, "report_resolve", 3, q))) return e;
    audit_record(&c->svc, "admin.report", c->svc.user->id, user, c->rq.client_ip,
                 json_pack("{s:I,s:s}", "report_id", (json_int_t)id, "outcome", outcome));
    ev_users(&c->svc, &reporter, 1, json_pack("{s:s,s:I,s:s}", "type", "report.resolved", "report_id", (json_int_t)id,
                                              "outcome", outcome));
    c->out = json_pack("{s:{s:I,s:s,s:s}}", "report", "id", (json_int_t)id, "state", "resolved", "outcome", outcome);
    if (!c->rq.is_api) c->redirect = "/admin/reports?done=resolved";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const field_spec f_report[] = {
    {"conversation_id", "Conversation", FV_INT, 0, 1, 999999999999999LL},
    {"seq", "Message", FV_INT, 0, 1, 999999999999999LL},
    {"user_id", "Person", FV_INT, 0, 1, 999999999999999LL},
    {"reason", "Reason", FV_MULTILINE, 1, 1, 1000},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_resolve[] = {
    {"action", "Action", FV_TEXT, 1, 1, 16},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec q_reports[] = {
    {"state", "state", FV_TEXT, 0, 4, 8},
    {NULL, NULL, 0, 0, 0, 0},
};

static const field_spec q_new[] = {
    {"conversation_id", "Conversation", FV_INT, 0, 1, 999999999999999LL},
    {"seq", "Message", FV_INT, 0, 1, 999999999999999LL},
    {"user_id", "Person", FV_INT, 0, 1, 999999999999999LL},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route report_routes[] = {
    {"GET", "/reports/new", h_report_new, R_AUTH, "report_new", NULL, NULL, q_new},
    {"POST", "/reports", h_report, R_AUTH, "report_new", f_report, h_report_refill, NULL},
    {"GET", "/reports", h_my_reports, R_AUTH, "reports", NULL, NULL, NULL},
    {"GET", "/admin/reports", h_admin_reports, R_AUTH, "admin_reports", NULL, NULL, q_reports},
    {"POST", "/admin/reports/:id/resolve", h_admin_resolve, R_AUTH, "admin_reports", f_resolve, h_admin_reports, NULL},
};
const module reports_module = {"reports", MODULE_ROUTES(report_routes), report_stmts};
