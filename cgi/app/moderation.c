/* moderation.c — owners and admins of a group or channel keep order in it: muting a member
 * for a time (they read but cannot send, edit or react; typing stays silent) and the group's
 * moderation log (mutes, removals and role changes, from the audit log). */
#include "module.h"
#include <stdio.h>
#include <string.h>
#include "audit.h"
#include "conv.h"
#include "events.h"
#include "people.h"
#include "users.h"

enum { MOD_MAX_MINUTES = 30 * 24 * 60 };   /* a mute lasts at most 30 days */

const db_stmt mod_stmts[] = {
    {"mod_mute", "UPDATE members SET muted_until = now() + $3::int * interval '1 minute' "
                 "WHERE conversation_id = $1 AND user_id = $2 RETURNING " DB_TS("muted_until")},
    /* RETURNING sees the new row: o, the same row joined, still holds the old end. */
    {"mod_unmute", "UPDATE members m SET muted_until = NULL FROM members o WHERE m.conversation_id = $1 "
                   "AND m.user_id = $2 AND o.conversation_id = m.conversation_id AND o.user_id = m.user_id "
                   "AND m.muted_until IS NOT NULL RETURNING o.muted_until > now()"},
    {NULL, NULL},
};

/* The path's conversation (a group or channel the caller manages) and member, whose role
 * lands in role; the rules of who may silence whom. */
static err_t mod_target(ctx *c, conv *cv, user_row **u, char role[8])
{
    long long uid;
    err_t e = conv_from_path(c, cv);
    if (!e) e = param_id(c, "user_id", &uid);
    if (e) return e;
    if (!strcmp(cv->kind, "direct"))
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Nobody can be muted in a direct conversation: block the person instead.");
    if (!conv_is_admin(cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can mute members.");
    if (uid == c->svc.user->id) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "You cannot mute yourself.");
    const char *p[] = {id_str(&c->svc, cv->id), id_str(&c->svc, uid)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "member_role", 2, p, &r))) return e;
    int member = PQntuples(r) == 1;
    if (member) snprintf(role, 8, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!member) return ctx_fail(c, ERR_NOT_FOUND, NULL, "That person is not a member of this conversation.");
    if (!strcmp(role, "owner")) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Owners cannot be muted.");
    if (!strcmp(role, "admin") && strcmp(cv->my_role, "owner"))
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners can mute admins.");
    return users_by_id(&c->svc, uid, u);
}

/* Tells the members (their member lists, the muted person's composer) and logs it. */
static void mod_announce(ctx *c, const conv *cv, const user_row *u, const char *until, long long minutes)
{
    json_t *ev = json_pack("{s:s,s:I,s:I,s:o}", "type", until ? "member.muted" : "member.unmuted",
                           "conversation_id", (json_int_t)cv->id, "user_id", (json_int_t)u->id,
                           "muted_until", until ? json_string(until) : json_null());
    if (ev) ev_conv(&c->svc, cv->id, ev, 0, 0);
    json_t *detail = until ? json_pack("{s:I,s:I,s:s}", "conversation_id", (json_int_t)cv->id, "minutes", (json_int_t)minutes,
                                       "until", until)
                           : json_pack("{s:I}", "conversation_id", (json_int_t)cv->id);
    audit_record(&c->svc, until ? "member.mute" : "member.unmute", c->svc.user->id, u->id, c->rq.client_ip, detail);
}

/* {"member":{…user, "role", "muted_until"}} and, for pages, back to the settings. */
static err_t mod_answer(ctx *c, const conv *cv, const user_row *u, const char *role, const char *until, const char *done)
{
    json_t *m = users_ref_of(u);
    if (m) json_object_set_new(m, "role", json_string(role));
    if (m) json_object_set_new(m, "muted_until", until ? json_string(until) : json_null());
    c->out = m ? json_pack("{s:o}", "member", m) : NULL;
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld/settings?done=%s", cv->id, done);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /conversations/<id>/members/<user_id>/mute {"minutes"}: from now on, for that long
 * (a new mute replaces the old one). */
static err_t h_mod_mute(ctx *c)
{
    conv cv;
    user_row *u;
    char role[8];
    err_t e = mod_target(c, &cv, &u, role);
    if (e) return e;
    long long minutes = json_integer_value(json_object_get(c->in, "minutes"));
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, u->id), id_str(&c->svc, minutes)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "mod_mute", 3, p, &r))) return e;
    const char *until = PQntuples(r) == 1 ? arena_strdup(c->svc.a, PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    if (!until) return ctx_fail(c, ERR_NOT_FOUND, NULL, "That person is not a member of this conversation.");
    mod_announce(c, &cv, u, until, minutes);
    return mod_answer(c, &cv, u, role, until, "muted");
}

/* DELETE /conversations/<id>/members/<user_id>/mute (or POST …/unmute): at once. */
static err_t h_mod_unmute(ctx *c)
{
    conv cv;
    user_row *u;
    char role[8];
    err_t e = mod_target(c, &cv, &u, role);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, u->id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "mod_unmute", 2, p, &r))) return e;
    int was = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';  /* an expired mute is only tidied */
    PQclear(r);
    if (was) mod_announce(c, &cv, u, NULL, 0);
    return mod_answer(c, &cv, u, role, NULL, "unmuted");
}

/* GET /conversations/<id>/moderation: the newest 200 entries of the group's moderation log,
 * for its owners and admins. */
static err_t h_mod_log(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    if (!strcmp(cv.kind, "direct") || !conv_is_admin(&cv))
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins of a group or channel see its moderation log.");
    json_t *entries, *cj;
    if ((e = audit_list_conversation(&c->svc, cv.id, &entries))) return e;
    if ((e = conv_json(&c->svc, &cv, 0, &cj))) { json_decref(entries); return e; }
    c->out = json_pack("{s:o,s:o}", "conversation", cj, "entries", entries);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const field_spec f_mute[] = {
    {"minutes", "Minutes", FV_INT, 1, 1, MOD_MAX_MINUTES},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route mod_routes[] = {
    {"POST", "/conversations/:id/members/:user_id/mute", h_mod_mute, R_AUTH, "conversation_settings", f_mute, h_conv_settings, NULL},
    {"DELETE", "/conversations/:id/members/:user_id/mute", h_mod_unmute, R_AUTH, "conversation_settings", NULL, h_conv_settings, NULL},
    {"POST", "/conversations/:id/members/:user_id/unmute", h_mod_unmute, R_AUTH, "conversation_settings", NULL, h_conv_settings, NULL},
    {"GET", "/conversations/:id/moderation", h_mod_log, R_AUTH, "conversation_moderation", NULL, NULL, NULL},
};
const module moderation_module = {"moderation", MODULE_ROUTES(mod_routes), mod_stmts};
