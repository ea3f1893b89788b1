/* contacts.c — contacts, contact requests, blocks and people search (domain + handlers). */
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "people.h"
#include "presence.h"
#include "../core/utf8.h"
#include "users.h"

#define UCOLS USERS_PUBLIC_COLS("u")

const db_stmt contacts_stmts[] = {
    {"contacts_list", "SELECT " UCOLS ", " DB_TS("c.created_at") " FROM contacts c JOIN users u ON u.id = c.contact_id "
                      "WHERE c.user_id = $1 ORDER BY parley_fold(u.display_name), u.id"},
    {"contacts_incoming", "SELECT " UCOLS ", " DB_TS("r.created_at") " FROM contact_requests r JOIN users u ON u.id = r.from_id "
                          "WHERE r.to_id = $1 ORDER BY r.created_at DESC"},
    {"contacts_outgoing", "SELECT " UCOLS ", " DB_TS("r.created_at") " FROM contact_requests r JOIN users u ON u.id = r.to_id "
                          "WHERE r.from_id = $1 ORDER BY r.created_at DESC"},
    {"contacts_blocked", "SELECT " UCOLS ", " DB_TS("b.created_at") " FROM blocks b JOIN users u ON u.id = b.blocked_id "
                         "WHERE b.user_id = $1 ORDER BY b.created_at DESC"},
    {"contacts_state", "SELECT CASE WHEN EXISTS (SELECT 1 FROM contacts WHERE user_id = $1 AND contact_id = $2) THEN 'accepted' "
                       "WHEN EXISTS (SELECT 1 FROM contact_requests WHERE from_id = $1 AND to_id = $2) THEN 'outgoing' "
                       "WHEN EXISTS (SELECT 1 FROM contact_requests WHERE from_id = $2 AND to_id = $1) THEN 'incoming' "
                       "ELSE '' END, " DB_TS("now()")},
    {"contacts_request", "INSERT INTO contact_requests (from_id, to_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"},
    {"contacts_accept", "WITH d AS (DELETE FROM contact_requests WHERE from_id = $2 AND to_id = $1 RETURNING from_id), "
                        "i AS (INSERT INTO contacts (user_id, contact_id) SELECT $1::bigint, $2::bigint FROM d "
                        "UNION ALL SELECT $2::bigint, $1::bigint FROM d ON CONFLICT DO NOTHING) "
                        "SELECT count(*) FROM d"},
    {"contacts_decline", "DELETE FROM contact_requests WHERE from_id = $2 AND to_id = $1"},
    {"contacts_remove", "WITH a AS (DELETE FROM contacts WHERE (user_id = $1 AND contact_id = $2) "
                        "OR (user_id = $2 AND contact_id = $1) RETURNING 1), "
                        "b AS (DELETE FROM contact_requests WHERE (from_id = $1 AND to_id = $2) "
                        "OR (from_id = $2 AND to_id = $1) RETURNING 1) "
                        "SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)"},
    {"blocks_insert", "INSERT INTO blocks (user_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"},
    {"blocks_since", "SELECT " DB_TS("created_at") " FROM blocks WHERE user_id = $1 AND blocked_id = $2"},
    {"blocks_delete", "DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2"},
    {"users_search", "SELECT " UCOLS " FROM users u "
                     "WHERE (parley_fold(u.username) LIKE parley_fold($2) || '%' "
                     "OR parley_fold(u.display_name) LIKE parley_fold($2) || '%' "
                     "OR parley_fold(u.display_name) LIKE '% ' || parley_fold($2) || '%') "
                     "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = u.id AND b.blocked_id = $1) "
                     "ORDER BY parley_fold(u.username) = parley_fold($2) DESC, parley_fold(u.display_name), u.id LIMIT 20"},
    {NULL, NULL},
};

/* Runs a list statement for the caller; state NULL gives {"user","since"} items. */
static err_t contact_list(svc *c, const char *stmt, const char *state, json_t **out)
{
    const char *p[] = {id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, stmt, 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        json_t *item = state
            ? json_pack("{s:o,s:s,s:s}", "user", users_public_json(r, i, 0), "state", state, "since", PQgetvalue(r, i, USERS_PUBLIC_NCOLS))
            : json_pack("{s:o,s:s}", "user", users_public_json(r, i, 0), "since", PQgetvalue(r, i, USERS_PUBLIC_NCOLS));
        json_array_append_new(arr, item);
    }
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

static err_t h_contacts(ctx *c)
{
    json_t *acc = NULL, *in = NULL, *outg = NULL, *bl = NULL;
    err_t e = contact_list(&c->svc, "contacts_list", "accepted", &acc);
    if (!e) e = contact_list(&c->svc, "contacts_incoming", "incoming", &in);
    if (!e) e = contact_list(&c->svc, "contacts_outgoing", "outgoing", &outg);
    if (!e) e = contact_list(&c->svc, "contacts_blocked", NULL, &bl);
    if (e) { json_decref(acc); json_decref(in); json_decref(outg); json_decref(bl); return e; }
    json_t *people = json_array(), *ct;                  /* the contacts' user objects, shared */
    size_t i;
    json_array_foreach(acc, i, ct) json_array_append(people, json_object_get(ct, "user"));
    presence_attach(&c->svc, people);
    json_decref(people);
    c->out = json_pack("{s:o,s:o,s:o,s:o}", "contacts", acc, "incoming", in, "outgoing", outg, "blocked", bl);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* {"user":…,"state":…,"since":…} for the pair (me, u). */
static err_t contact_json(svc *c, user_row *u, json_t **out)
{
    const char *p[] = {id_str(c, c->user->id), id_str(c, u->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "contacts_state", 2, p, &r);
    if (e) return e;
    *out = json_pack("{s:o,s:s,s:s}", "user", user_json(u), "state", PQgetvalue(r, 0, 0), "since", PQgetvalue(r, 0, 1));
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* contact.accepted to both people, each told about the other (and their presence). */
static void ev_accepted(svc *c, user_row *u)
{
    ev_users(c, &c->user->id, 1, json_pack("{s:s,s:o}", "type", "contact.accepted", "user", user_json(u)));
    ev_users(c, &u->id, 1, json_pack("{s:s,s:o}", "type", "contact.accepted", "user", user_json(c->user)));
    presence_pair_changed(c, c->user->id, u->id);
}

static err_t run2(svc *c, const char *stmt, long long a, long long b, long long *count)
{
    const char *p[] = {id_str(c, a), id_str(c, b)};
    PGresult *r;
    err_t e = db_exec(c->db, stmt, 2, p, &r);
    if (e) return e;
    if (count) *count = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : atoll(PQcmdTuples(r));
    PQclear(r);
    return ERR_OK;
}

/* The user the "username" field names, who must not be the caller (self_msg otherwise). */
static err_t named_other(ctx *c, const char *self_msg, user_row **u)
{
    err_t e = users_by_username(&c->svc, ctx_str(c, "username"), u);
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, "username", "There is no user with that name.");
    if (e) return e;
    return (*u)->id == c->svc.user->id ? ctx_fail(c, ERR_INVALID_FIELD, "username", self_msg) : ERR_OK;
}

static err_t h_contact_add(ctx *c)
{
    user_row *u;
    err_t e = named_other(c, "You cannot add yourself.", &u);
    if (e) return e;
    int blocked;
    if ((e = people_block_between(&c->svc, c->svc.user->id, u->id, &blocked))) return e;
    if (blocked) return ctx_fail(c, ERR_NOT_ALLOWED, "username", "You cannot send this person a contact request.");
    json_t *cur;
    if ((e = contact_json(&c->svc, u, &cur))) return e;
    const char *state = json_string_value(json_object_get(cur, "state"));
    c->status = 200;
    if (!strcmp(state, "incoming")) {                       /* they asked first: accept */
        json_decref(cur);
        c->status = 201;
        long long n;
        if ((e = run2(&c->svc, "contacts_accept", c->svc.user->id, u->id, &n))) return e;
        if ((e = contact_json(&c->svc, u, &cur))) return e;
        if (n) ev_accepted(&c->svc, u);
    } else if (!*state) {
        json_decref(cur);
        long long n;
        if ((e = run2(&c->svc, "contacts_request", c->svc.user->id, u->id, &n))) return e;
        if ((e = contact_json(&c->svc, u, &cur))) return e;
        c->status = 201;
        if (n) ev_users(&c->svc, &u->id, 1, json_pack("{s:s,s:o}", "type", "contact.request", "user", user_json(c->svc.user)));
    }
    c->out = json_pack("{s:o}", "contact", cur);
    if (!c->rq.is_api) c->redirect = "/contacts?done=requested";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* The path's user_id as a user. */
static err_t path_user(ctx *c, user_row **u)
{
    long long id;
    err_t e = param_id(c, "user_id", &id);
    if (!e) e = users_by_id(&c->svc, id, u);
    return e == ERR_NOT_FOUND ? ctx_fail(c, e, NULL, "There is no such user.") : e;
}

static err_t h_contact_accept(ctx *c)
{
    user_row *u;
    long long n;
    err_t e = path_user(c, &u);
    if (!e) e = run2(&c->svc, "contacts_accept", c->svc.user->id, u->id, &n);
    if (e) return e;
    if (n == 0) return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no contact request from this person.");
    ev_accepted(&c->svc, u);
    json_t *cj;
    if ((e = contact_json(&c->svc, u, &cj))) return e;
    c->out = json_pack("{s:o}", "contact", cj);
    if (!c->rq.is_api) c->redirect = "/contacts?done=accepted";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* Runs stmt on (me, the path's user); no row changed is a 404 with missing; else 204 and,
 * for pages, back to /contacts?done=<done>; `ends` when a relation ended (presence changes).
 * Decline, remove and unblock are this. */
static err_t pair_change(ctx *c, const char *stmt, const char *missing, const char *done, int ends)
{
    user_row *u;
    long long n;
    err_t e = path_user(c, &u);
    if (!e) e = run2(&c->svc, stmt, c->svc.user->id, u->id, &n);
    if (e) return e;
    if (n == 0) return ctx_fail(c, ERR_NOT_FOUND, NULL, missing);
    if (ends) presence_pair_changed(&c->svc, c->svc.user->id, u->id);
    c->status = 204;
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/contacts?done=%s", done);
    return ERR_OK;
}

static err_t h_contact_decline(ctx *c)
{
    return pair_change(c, "contacts_decline", "There is no contact request from this person.", "declined", 0);
}

static err_t h_contact_remove(ctx *c)
{
    return pair_change(c, "contacts_remove", "This person is not among your contacts or requests.", "removed", 1);
}

static err_t h_block_add(ctx *c)
{
    user_row *u;
    err_t e = named_other(c, "You cannot block yourself.", &u);
    if (e) return e;
    if ((e = db_begin(c->svc.db))) return e;
    e = run2(&c->svc, "blocks_insert", c->svc.user->id, u->id, NULL);
    if (!e) e = run2(&c->svc, "contacts_remove", c->svc.user->id, u->id, NULL);   /* a block ends the contact */
    if (!e) e = db_commit(c->svc.db);
    if (e) { db_rollback(c->svc.db); return e; }
    presence_pair_changed(&c->svc, c->svc.user->id, u->id);        /* each now sees the other's as hidden */
    const char *p[] = {id_str(&c->svc, c->svc.user->id), id_str(&c->svc, u->id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "blocks_since", 2, p, &r))) return e;
    c->status = 201;
    c->out = json_pack("{s:{s:o,s:s}}", "blocked", "user", user_json(u), "since", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    if (!c->rq.is_api) c->redirect = "/contacts?done=blocked";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_block_remove(ctx *c)
{
    return pair_change(c, "blocks_delete", "You have not blocked this person.", "unblocked", 1);
}

static err_t h_users_search(ctx *c)
{
    const char *q = ctx_qstr(c, "q");                    /* declared: at most 64 characters */
    if ((!q || !*q) && c->rq.is_api) return ctx_fail(c, ERR_MISSING_FIELD, "q", "Say what to search for: ?q=…");
    if (!q || !*q) {                         /* the page with an empty search box */
        c->out = json_pack("{s:[],s:s}", "users", "q", "");
        return c->out ? ERR_OK : ERR_INTERNAL;
    }
    const char *p[] = {id_str(&c->svc, c->svc.user->id), people_like_escape(c->svc.a, q)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "users_search", 2, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) json_array_append_new(arr, users_public_json(r, i, 0));
    PQclear(r);
    c->out = json_pack("{s:o,s:s}", "users", arr, "q", q);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec f_username[] = {
    {"username", "Username", FV_USERNAME, 1, 3, 32},
    {NULL, NULL, 0, 0, 0, 0},
};

static const field_spec q_search[] = {{"q", "Search", FV_TEXT, 0, 0, 64}, {NULL, NULL, 0, 0, 0, 0}};

static const route contacts_routes[] = {
    {"GET", "/users", h_users_search, R_AUTH, "people", NULL, NULL, q_search},
    {"GET", "/contacts", h_contacts, R_AUTH, "contacts", NULL, NULL, NULL},
    {"POST", "/contacts", h_contact_add, R_AUTH, "contacts", f_username, h_contacts, NULL},
    {"POST", "/contacts/:user_id/accept", h_contact_accept, R_AUTH, "contacts", NULL, h_contacts, NULL},
    {"POST", "/contacts/:user_id/decline", h_contact_decline, R_AUTH, "contacts", NULL, h_contacts, NULL},
    {"DELETE", "/contacts/:user_id", h_contact_remove, R_AUTH, "contacts", NULL, h_contacts, NULL},
    {"POST", "/contacts/:user_id/remove", h_contact_remove, R_AUTH, "contacts", NULL, h_contacts, NULL},
    {"POST", "/blocks", h_block_add, R_AUTH, "contacts", f_username, h_contacts, NULL},
    {"DELETE", "/blocks/:user_id", h_block_remove, R_AUTH, "contacts", NULL, h_contacts, NULL},
    {"POST", "/blocks/:user_id/remove", h_block_remove, R_AUTH, "contacts", NULL, h_contacts, NULL},
};
const module contacts_module = {"contacts", MODULE_ROUTES(contacts_routes), contacts_stmts};
