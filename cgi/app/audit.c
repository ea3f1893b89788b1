/* audit.c — see audit.h; and GET /me/security, a person's own security events. */
#include "audit.h"
#include <stdlib.h>
#include "module.h"
#include "../core/log.h"

const db_stmt audit_stmts[] = {
    {"audit_insert", "INSERT INTO audit_log (actor_id, subject_id, action, ip, detail) "
                     "VALUES ($1::bigint, $2::bigint, $3, COALESCE($4, ''), COALESCE($5::jsonb, '{}'))"},
    {"audit_list", "SELECT a.id, " DB_TS("a.at") ", a.action, a.ip, a.detail::text, "
                   "ua.id, ua.username, us.id, us.username FROM audit_log a "
                   "LEFT JOIN users ua ON ua.id = a.actor_id LEFT JOIN users us ON us.id = a.subject_id "
                   "WHERE ($1::bigint IS NULL OR a.subject_id = $1 OR (NOT $3::boolean AND a.actor_id = $1)) "
                   "AND ($2::text IS NULL OR a.action = $2 OR a.action LIKE $2 || '.%') "
                   "ORDER BY a.at DESC, a.id DESC LIMIT 200"},
    /* A group's moderation log (the partial index audit_log_conversation). */
    {"audit_conv", "SELECT a.id, " DB_TS("a.at") ", a.action, a.ip, a.detail::text, "
                   "ua.id, ua.username, us.id, us.username FROM audit_log a "
                   "LEFT JOIN users ua ON ua.id = a.actor_id LEFT JOIN users us ON us.id = a.subject_id "
                   "WHERE a.detail ? 'conversation_id' AND (a.detail ->> 'conversation_id')::bigint = $1 "
                   "ORDER BY a.at DESC, a.id DESC LIMIT 200"},
    {NULL, NULL},
};

void audit_record(svc *c, const char *action, long long actor, long long subject, const char *ip, json_t *detail)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    svc aside = svc_aside(c);
    const char *p[] = {actor ? id_str(&aside, actor) : NULL, subject ? id_str(&aside, subject) : NULL, action, ip, d};
    if (db_run(aside.db, "audit_insert", 5, p)) log_warn("audit: could not record %s", action);
    free(d);
}

/* {"id","username"} of the user at columns col (id) and col + 1, or null. */
static json_t *audit_who(PGresult *r, int i, int col)
{
    return PQgetisnull(r, i, col) ? json_null()
           : json_pack("{s:I,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, i, col)), "username", PQgetvalue(r, i, col + 1));
}

/* The rows of audit_list or audit_conv as JSON (new reference in *out); clears r. */
static err_t audit_rows(PGresult *r, json_t **out)
{
    *out = json_array();
    for (int i = 0; *out && i < PQntuples(r); i++) {
        json_t *det = json_loads(PQgetvalue(r, i, 4), 0, NULL);
        json_array_append_new(*out, json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                                              "at", PQgetvalue(r, i, 1), "action", PQgetvalue(r, i, 2),
                                              "ip", PQgetvalue(r, i, 3), "detail", det ? det : json_object(),
                                              "actor", audit_who(r, i, 5), "subject", audit_who(r, i, 7)));
    }
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

err_t audit_list(svc *c, long long user, int subject_only, const char *action, json_t **out)
{
    const char *p[] = {user ? id_str(c, user) : NULL, action, subject_only ? "true" : "false"};
    PGresult *r;
    err_t e = db_exec(c->db, "audit_list", 3, p, &r);
    return e ? e : audit_rows(r, out);
}

err_t audit_list_conversation(svc *c, long long conv_id, json_t **out)
{
    const char *p[] = {id_str(c, conv_id)};
    PGresult *r;
    err_t e = db_exec(c->db, "audit_conv", 1, p, &r);
    return e ? e : audit_rows(r, out);
}

/* GET /me/security: the security events about you (sign-ins, failed ones and from where,
 * password and second-factor changes, tokens, what administrators did to your account). */
static err_t h_my_security(ctx *c)
{
    json_t *arr;
    err_t e = audit_list(&c->svc, c->svc.user->id, 1, NULL, &arr);
    if (e) return e;
    c->out = json_pack("{s:o}", "entries", arr);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const route audit_routes[] = {
    {"GET", "/me/security", h_my_security, R_AUTH, "security_log", NULL, NULL, NULL},
};
const module audit_module = {"audit", MODULE_ROUTES(audit_routes), audit_stmts};
