/* members.c — a conversation's members: adding people, their roles (owner, admin, member),
 * leaving and removing, each announced as an event and a system message. */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "events.h"
#include "invitations.h"
#include "msg.h"
#include "people.h"
#include "users.h"

const db_stmt members_stmts[] = {
    {"member_role", "SELECT role FROM members WHERE conversation_id = $1 AND user_id = $2"},
    {"member_set_role", "UPDATE members SET role = $3 WHERE conversation_id = $1 AND user_id = $2"},
    {"member_delete", "DELETE FROM members WHERE conversation_id = $1 AND user_id = $2 RETURNING role"},
    {"member_owners", "SELECT count(*) FROM members WHERE conversation_id = $1 AND role = 'owner'"},
    {NULL, NULL},
};

static int valid_role(const char *r) { return r && (!strcmp(r, "owner") || !strcmp(r, "admin") || !strcmp(r, "member")); }

static err_t member_out(ctx *c, long long conv_id, user_row *u)
{
    const char *p[] = {id_str(&c->svc, conv_id), id_str(&c->svc, u->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "member_role", 2, p, &r);
    if (e) return e;
    json_t *m = users_ref_of(u);
    if (m) json_object_set_new(m, "role", json_string(PQntuples(r) ? PQgetvalue(r, 0, 0) : ""));
    PQclear(r);
    c->out = m ? json_pack("{s:o}", "member", m) : NULL;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /conversations/<id>/members */
static err_t h_member_add(ctx *c)
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
    if ((e = people_blocks(&c->svc, u->id, c->svc.user->id, &blocked))) return e;
    if (blocked) return ctx_fail(c, ERR_NOT_ALLOWED, "username", "You cannot add this person to a conversation.");
    int invited;                          /* not a contact: they are asked first (invitations.h) */
    if ((e = invitations_offer(c, &cv, u, role, &invited))) return e;
    if (invited) {
        c->status = 202;
        c->out = json_pack("{s:b,s:o}", "invited", 1, "user", users_ref_of(u));
        if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld/settings?done=invited", cv.id);
        return c->out ? ERR_OK : ERR_INTERNAL;
    }
    const char *p[] = {id_str(&c->svc, cv.id)};
    PGresult *r;
    if ((e = db_begin(c->svc.db))) return e;
    if ((e = db_exec(c->svc.db, "conv_lock", 1, p, &r))) goto fail;        /* serialises the count */
    PQclear(r);
    if ((e = db_exec(c->svc.db, "conv_member_count", 1, p, &r))) goto fail;
    long long count = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (count >= c->svc.cfg->max_members) {
        e = ctx_fail(c, ERR_TOO_MANY_MEMBERS, "username",
                     arena_printf(c->svc.a, "A conversation may have at most %ld members.", c->svc.cfg->max_members));
        goto fail;
    }
    if ((e = conv_add_member(&c->svc, cv.id, u->id, role))) goto fail;
    long long sys;
    if ((e = conv_system(&c->svc, cv.id, arena_printf(c->svc.a, "%s added %s", c->svc.user->display_name, u->display_name), &sys)))
        goto fail;
    if ((e = db_commit(c->svc.db))) goto fail;
    c->status = 201;
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld/settings?done=added", cv.id);
    if ((e = member_out(c, cv.id, u))) return e;
    ev_conv(&c->svc, cv.id, json_pack("{s:s,s:I,s:O}", "type", "member.added", "conversation_id", (json_int_t)cv.id,
                                "user", json_object_get(c->out, "member")), 0, 0);
    msg_event_created(&c->svc, cv.id, sys, 0, NULL);
    return ERR_OK;
fail:
    db_rollback(c->svc.db);
    return e;
}

static err_t target_role(svc *c, long long conv_id, long long uid, char role[8])
{
    const char *p[] = {id_str(c, conv_id), id_str(c, uid)};
    PGresult *r;
    err_t e = db_exec(c->db, "member_role", 2, p, &r);
    if (e) return e;
    if (!PQntuples(r)) { PQclear(r); return svc_fail(c, ERR_NOT_FOUND, NULL, "That person is not a member."); }
    snprintf(role, 8, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ERR_OK;
}

static long long owner_count(svc *c, long long conv_id, err_t *e)
{
    const char *p[] = {id_str(c, conv_id)};
    PGresult *r;
    *e = db_exec(c->db, "member_owners", 1, p, &r);
    if (*e) return 0;
    long long n = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

/* The path's conversation (the caller a member) and user id. */
static err_t member_path(ctx *c, conv *cv, long long *uid)
{
    err_t e = conv_from_path(c, cv);
    return e ? e : param_id(c, "user_id", uid);
}

/* PATCH /conversations/<id>/members/<user_id> */
static err_t h_member_role(ctx *c)
{
    conv cv;
    user_row *u;
    long long uid;
    char cur[8];
    err_t e = member_path(c, &cv, &uid);
    if (e) return e;
    const char *role = ctx_str(c, "role");
    if (!valid_role(role)) return ctx_fail(c, ERR_INVALID_FIELD, "role", "The role must be member, admin or owner.");
    if (!conv_is_admin(&cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can change roles.");
    if ((e = users_by_id(&c->svc, uid, &u)) || (e = target_role(&c->svc, cv.id, uid, cur))) return e;
    int owner = !strcmp(cv.my_role, "owner");
    if (!owner && (!strcmp(cur, "owner") || !strcmp(role, "owner")))
        return ctx_fail(c, ERR_FORBIDDEN, "role", "Only owners can make or unmake owners.");
    if ((e = db_begin(c->svc.db))) return e;
    const char *lp[] = {id_str(&c->svc, cv.id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "conv_lock", 1, lp, &r))) goto fail;
    PQclear(r);
    if (!strcmp(cur, "owner") && strcmp(role, "owner") && owner_count(&c->svc, cv.id, &e) <= 1) {
        if (!e) e = ctx_fail(c, ERR_FORBIDDEN, "role", "Every group needs an owner: make someone else owner first.");
        goto fail;
    }
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, uid), role};
    if ((e = db_run(c->svc.db, "member_set_role", 3, p))) goto fail;
    long long sys = 0;
    if (strcmp(cur, role) &&
        (e = conv_system(&c->svc, cv.id, arena_printf(c->svc.a, "%s made %s %s", c->svc.user->display_name, u->display_name,
                                                !strcmp(role, "member") ? "a member" : !strcmp(role, "admin") ? "an admin" : "an owner"),
                         &sys)))
        goto fail;
    if ((e = db_commit(c->svc.db))) goto fail;
    if (strcmp(cur, role))                                 /* the group's moderation log */
        audit_record(&c->svc, "member.role", c->svc.user->id, uid, c->rq.client_ip,
                     json_pack("{s:I,s:s,s:s}", "conversation_id", (json_int_t)cv.id, "from", cur, "to", role));
    if (sys) msg_event_created(&c->svc, cv.id, sys, 0, NULL);
    if (strcmp(cur, role))                                 /* headers and composers follow it live */
        ev_conv(&c->svc, cv.id, json_pack("{s:s,s:I,s:I,s:s}", "type", "member.role", "conversation_id", (json_int_t)cv.id,
                                          "user_id", (json_int_t)uid, "role", role), 0, 0);
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld/settings?done=role", cv.id);
    return member_out(c, cv.id, u);
fail:
    db_rollback(c->svc.db);
    return e;
}

/* DELETE /conversations/<id>/members/<user_id>: leave, or remove someone. */
static err_t h_member_remove(ctx *c)
{
    conv cv;
    user_row *u;
    long long uid;
    char cur[8];
    err_t e = member_path(c, &cv, &uid);
    if (e) return e;
    int self = uid == c->svc.user->id;
    if (!strcmp(cv.kind, "direct")) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "You cannot leave a direct conversation.");
    if (!self && !conv_is_admin(&cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins can remove members.");
    if ((e = users_by_id(&c->svc, uid, &u)) || (e = target_role(&c->svc, cv.id, uid, cur))) return e;
    if (!self && !strcmp(cur, "owner") && strcmp(cv.my_role, "owner"))
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "Admins cannot remove owners.");
    if ((e = db_begin(c->svc.db))) return e;
    const char *lp[] = {id_str(&c->svc, cv.id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "conv_lock", 1, lp, &r))) goto fail;
    PQclear(r);
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, uid)};
    /* The last owner gone: the same statement made an heir owner (sql/031, a trigger). */
    if ((e = db_run(c->svc.db, "member_delete", 2, p))) goto fail;
    long long sys;
    if ((e = conv_system(&c->svc, cv.id, self ? arena_printf(c->svc.a, "%s left", c->svc.user->display_name)
                                        : arena_printf(c->svc.a, "%s removed %s", c->svc.user->display_name, u->display_name), &sys)))
        goto fail;
    if ((e = db_commit(c->svc.db))) goto fail;
    if (!self)
        audit_record(&c->svc, "member.remove", c->svc.user->id, uid, c->rq.client_ip,
                     json_pack("{s:I}", "conversation_id", (json_int_t)cv.id));
    /* The removed person hears of it once more; the system message goes to those who stay. */
    ev_conv(&c->svc, cv.id, json_pack("{s:s,s:I,s:I}", "type", "member.removed", "conversation_id", (json_int_t)cv.id,
                                "user_id", (json_int_t)uid), uid, 0);
    msg_event_created(&c->svc, cv.id, sys, 0, NULL);
    c->status = 204;
    if (!c->rq.is_api)
        c->redirect = self ? "/conversations?done=left" : arena_printf(c->svc.a, "/conversations/%lld/settings?done=removed", cv.id);
    return ERR_OK;
fail:
    db_rollback(c->svc.db);
    return e;
}

/* ---- routes (module.h) ---- */

static const field_spec f_member_add[] = {
    {"user_id", "User", FV_INT, 0, 1, 999999999999999LL},
    {"username", "Username", FV_USERNAME, 0, 3, 32},
    {"role", "Role", FV_TEXT, 0, 0, 16},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_member_role[] = {
    {"role", "Role", FV_TEXT, 1, 1, 16},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route members_routes[] = {
    {"POST", "/conversations/:id/members", h_member_add, R_AUTH, "conversation_settings", f_member_add, h_conv_settings, NULL},
    {"PATCH", "/conversations/:id/members/:user_id", h_member_role, R_AUTH, "conversation_settings", f_member_role, h_conv_settings, NULL},
    {"POST", "/conversations/:id/members/:user_id/role", h_member_role, R_AUTH, "conversation_settings", f_member_role, h_conv_settings, NULL},
    {"DELETE", "/conversations/:id/members/:user_id", h_member_remove, R_AUTH, "conversation_settings", NULL, h_conv_settings, NULL},
    {"POST", "/conversations/:id/members/:user_id/remove", h_member_remove, R_AUTH, "conversation_settings", NULL, h_conv_settings, NULL},
};
const module members_module = {"members", MODULE_ROUTES(members_routes), members_stmts};
