/* invitations.c — see invitations.h; also POST /requests/invitations/<id>/accept, …/decline
 * (DELETE /requests/invitations/<id>) and …/block. Who owns what: strings in the request's
 * arena; PGresults cleared where they are read. */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "invitations.h"
#include "msg.h"
#include "people.h"
#include "presence.h"
#include "requests.h"
#include "users.h"

/* An invitation counts while its inviter is an owner or admin there, its invitee is not a
 * member yet, and no block stands between the two. */
#define INV_VISIBLE "EXISTS (SELECT 1 FROM members a WHERE a.conversation_id = i.conversation_id " \
                    "AND a.user_id = i.inviter_id AND a.role IN ('owner', 'admin')) " \
                    "AND NOT EXISTS (SELECT 1 FROM members s WHERE s.conversation_id = i.conversation_id " \
                    "AND s.user_id = i.user_id) AND NOT EXISTS (SELECT 1 FROM blocks b WHERE " \
                    "(b.user_id = i.user_id AND b.blocked_id = i.inviter_id) OR (b.user_id = i.inviter_id AND b.blocked_id = i.user_id))"

const db_stmt invitations_stmts[] = {
    /* $1 the person added, $2 the adder: 't' when they must be asked (not a bot, not allowing
     * everyone, the adder not their contact). */
    {"inv_needed", "SELECT NOT u.is_bot AND NOT u.dm_from_everyone AND NOT EXISTS (SELECT 1 FROM contacts k "
                   "WHERE k.user_id = $1 AND k.contact_id = $2) FROM users u WHERE u.id = $1"},
    {"inv_is_member", "SELECT 1 FROM members WHERE conversation_id = $1 AND user_id = $2"},
    {"inv_upsert", "INSERT INTO group_invitations (conversation_id, user_id, inviter_id, role) VALUES ($1, $2, $3, $4) "
                   "ON CONFLICT (conversation_id, user_id) DO UPDATE SET inviter_id = $3, role = $4, created_at = now()"},
    {"inv_get", "SELECT i.inviter_id, i.role FROM group_invitations i WHERE i.conversation_id = $1 AND i.user_id = $2 "
                "AND " INV_VISIBLE},
    {"inv_delete", "DELETE FROM group_invitations WHERE conversation_id = $1 AND user_id = $2 RETURNING 1"},
    /* Blocking an inviter drops every invitation of theirs to the blocker. */
    {"inv_delete_from", "DELETE FROM group_invitations WHERE user_id = $1 AND inviter_id = $2"},
    {"inv_list", "SELECT " USERS_PUBLIC_COLS("u") ", c.id, c.kind, coalesce(c.title, ''), "
                 "(SELECT count(*) FROM members x WHERE x.conversation_id = c.id), i.role, " DB_TS("i.created_at") " "
                 "FROM group_invitations i JOIN conversations c ON c.id = i.conversation_id "
                 "JOIN users u ON u.id = i.inviter_id WHERE i.user_id = $1 AND " INV_VISIBLE " "
                 "ORDER BY i.created_at DESC, c.id DESC LIMIT 200"},
    /* A conversation's pending invitations, for its owners and admins: invitee, inviter. */
    {"inv_pending", "SELECT " USERS_REF_COLS("u") ", " USERS_REF_COLS("f") ", i.role, " DB_TS("i.created_at") " "
                    "FROM group_invitations i JOIN users u ON u.id = i.user_id JOIN users f ON f.id = i.inviter_id "
                    "WHERE i.conversation_id = $1 AND " INV_VISIBLE " ORDER BY i.created_at DESC, u.id LIMIT 200"},
    {NULL, NULL},
};

err_t invitations_offer(ctx *c, const conv *cv, const user_row *u, const char *role, int *invited)
{
    svc *s = &c->svc;
    *invited = 0;
    const char *pair[] = {id_str(s, cv->id), id_str(s, u->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "inv_is_member", 2, pair, &r);
    if (e) return e;
    int member = PQntuples(r) > 0;
    PQclear(r);
    if (member) return ctx_fail(c, ERR_ALREADY_MEMBER, "username", "That person is already a member.");
    if ((e = invitations_invite_if_needed(s, cv->id, u, role, invited))) return e;
    if (*invited) requests_changed(s, u->id, cv->id, "invited");
    return ERR_OK;
}

err_t invitations_invite_if_needed(svc *s, long long conv_id, const user_row *u, const char *role, int *invited)
{
    *invited = 0;
    if (u->id == s->user->id) return ERR_OK;             /* no one invites themselves: no query */
    const char *who[] = {id_str(s, u->id), id_str(s, s->user->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "inv_needed", 2, who, &r);
    if (e) return e;
    int needed = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!needed) return ERR_OK;
    const char *p[] = {id_str(s, conv_id), who[0], who[1], role};
    if ((e = db_run(s->db, "inv_upsert", 4, p))) return e;
    *invited = 1;
    return ERR_OK;
}

err_t invitations_list(svc *c, json_t **out)
{
    const char *p[] = {id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "inv_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    enum { K = USERS_PUBLIC_NCOLS };
    for (int i = 0; arr && i < PQntuples(r); i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:o}", "conversation_id",
                                             (json_int_t)atoll(PQgetvalue(r, i, K)), "kind", PQgetvalue(r, i, K + 1),
                                             "title", PQgetvalue(r, i, K + 2), "members",
                                             (json_int_t)atoll(PQgetvalue(r, i, K + 3)), "role", PQgetvalue(r, i, K + 4),
                                             "created_at", PQgetvalue(r, i, K + 5), "inviter", users_public_json(r, i, 0)));
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

err_t invitations_pending(svc *c, long long conv_id, json_t **out)
{
    const char *p[] = {id_str(c, conv_id)};
    PGresult *r;
    err_t e = db_exec(c->db, "inv_pending", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    enum { K = 2 * USERS_REF_NCOLS };
    for (int i = 0; arr && i < PQntuples(r); i++)
        json_array_append_new(arr, json_pack("{s:o,s:o,s:s,s:s}", "user", users_ref_json(r, i, 0), "inviter",
                                             users_ref_json(r, i, USERS_REF_NCOLS), "role", PQgetvalue(r, i, K),
                                             "created_at", PQgetvalue(r, i, K + 1)));
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

/* The conversation of the path, whose pending invitations the caller (an owner or admin
 * there) manages; 403 for its other members, 404 for anyone else. */
static err_t inv_conv(ctx *c, conv *cv)
{
    err_t e = conv_from_path(c, cv);
    if (e) return e;
    if (!strcmp(cv->kind, "direct")) return ctx_fail(c, ERR_NOT_FOUND, NULL, "A direct conversation has no invitations.");
    if (!conv_is_admin(cv)) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins see and withdraw invitations.");
    return ERR_OK;
}

/* GET /conversations/<id>/invitations → {"invitations":[{user, inviter, role, created_at}]}. */
static err_t h_inv_pending(ctx *c)
{
    conv cv;
    json_t *list;
    err_t e = inv_conv(c, &cv);
    if (!e) e = invitations_pending(&c->svc, cv.id, &list);
    if (e) return e;
    c->out = json_pack("{s:o}", "invitations", list);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* DELETE /conversations/<id>/invitations/<user_id> (a page: POST …/withdraw): the invitation
 * is gone from the invitee's Requests (they are told, as when they decline). */
static err_t h_inv_withdraw(ctx *c)
{
    svc *s = &c->svc;
    conv cv;
    long long uid = 0;
    err_t e = inv_conv(c, &cv);
    if (e) return e;
    if ((e = param_id(c, "user_id", &uid))) return e;
    const char *p[] = {id_str(s, cv.id), id_str(s, uid)};
    PGresult *r;
    if ((e = db_exec(s->db, "inv_delete", 2, p, &r))) return e;
    int gone = PQntuples(r) == 1;
    PQclear(r);
    if (!gone) return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such invitation.");
    requests_changed(s, uid, cv.id, "withdrawn");
    c->status = 204;
    if (!c->rq.is_api) c->redirect = arena_printf(s->a, "/conversations/%lld/settings?done=withdrawn", cv.id);
    return ERR_OK;
}

/* The caller's invitation the path's id names, with its inviter and role; 404 for anyone
 * else, once answered, and once the inviter is no owner or admin there any more. */
static err_t inv_path(ctx *c, long long *conv_id, user_row *inviter, char role[8])
{
    return requests_path(c, "inv_get", "There is no such invitation.", conv_id, inviter, role, 8);
}

/* POST /requests/invitations/<id>/accept: the caller joins with the invitation's role, as
 * when added (a system message, member.added to everyone there). */
static err_t h_invitation_accept(ctx *c)
{
    svc *s = &c->svc;
    long long id;
    user_row inviter;
    char role[8];
    err_t e = inv_path(c, &id, &inviter, role);
    if (e) return e;
    const char *p[] = {id_str(s, id), id_str(s, s->user->id)};
    PGresult *r;
    long long sys;
    if ((e = db_begin(s->db))) return e;
    if ((e = db_exec(s->db, "conv_lock", 1, p, &r))) goto fail;          /* serialises the count */
    PQclear(r);
    if ((e = db_exec(s->db, "conv_member_count", 1, p, &r))) goto fail;
    long long count = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (count >= s->cfg->max_members) {
        e = ctx_fail(c, ERR_TOO_MANY_MEMBERS, NULL,
                     arena_printf(s->a, "This conversation is full: it may have at most %ld members.", s->cfg->max_members));
        goto fail;
    }
    if ((e = db_run(s->db, "inv_delete", 2, p)) || (e = conv_add_member(s, id, s->user->id, role))) goto fail;
    if ((e = conv_system(s, id, arena_printf(s->a, "%s joined, invited by %s", s->user->display_name, inviter.display_name),
                         &sys)))
        goto fail;
    if ((e = db_commit(s->db))) goto fail;
    json_t *me = users_ref_of(s->user);
    if (me) json_object_set_new(me, "role", json_string(role));
    ev_conv(s, id, json_pack("{s:s,s:I,s:o}", "type", "member.added", "conversation_id", (json_int_t)id, "user",
                             me ? me : json_null()), 0, 0);
    msg_event_created(s, id, sys, 0, NULL);
    requests_changed(s, s->user->id, id, "accepted");
    return requests_open(c, id);
fail:
    db_rollback(s->db);
    return e;
}

/* POST /requests/invitations/<id>/decline, DELETE /requests/invitations/<id>: gone; the
 * inviter is not told (they may invite again). */
static err_t h_invitation_decline(ctx *c)
{
    long long id;
    user_row inviter;
    char role[8];
    err_t e = inv_path(c, &id, &inviter, role);
    if (e) return e;
    return requests_dismiss(c, "inv_delete", id, "declined");
}

/* POST /requests/invitations/<id>/block: the inviter is blocked (they cannot add, invite or
 * message the caller again) and every invitation of theirs to the caller is gone. */
static err_t h_invitation_block(ctx *c)
{
    svc *s = &c->svc;
    long long id;
    user_row inviter;
    char role[8];
    err_t e = inv_path(c, &id, &inviter, role);
    if (e) return e;
    const char *pair[] = {id_str(s, s->user->id), id_str(s, inviter.id)};
    if ((e = db_begin(s->db))) return e;
    if ((e = requests_block_run(s, inviter.id, "inv_delete_from", pair)) || (e = db_commit(s->db))) {
        db_rollback(s->db);
        return e;
    }
    presence_pair_changed(s, s->user->id, inviter.id);
    requests_changed(s, s->user->id, id, "blocked");
    c->status = 201;
    c->out = json_pack("{s:{s:o}}", "blocked", "user", user_json(&inviter));
    if (!c->rq.is_api) c->redirect = "/requests?done=blocked";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const route invitations_routes[] = {
    {"POST", "/requests/invitations/:id/accept", h_invitation_accept, R_AUTH, "requests", NULL, h_requests, NULL},
    {"POST", "/requests/invitations/:id/decline", h_invitation_decline, R_AUTH, "requests", NULL, h_requests, NULL},
    {"DELETE", "/requests/invitations/:id", h_invitation_decline, R_AUTH, "requests", NULL, h_requests, NULL},
    {"POST", "/requests/invitations/:id/block", h_invitation_block, R_AUTH, "requests", NULL, h_requests, NULL},
    {"GET", "/conversations/:id/invitations", h_inv_pending, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"DELETE", "/conversations/:id/invitations/:user_id", h_inv_withdraw, R_AUTH, "conversation_settings", NULL,
     h_conv_settings, NULL},
    {"POST", "/conversations/:id/invitations/:user_id/withdraw", h_inv_withdraw, R_AUTH, "conversation_settings", NULL,
     h_conv_settings, NULL},
};
const module invitations_module = {"invitations", MODULE_ROUTES(invitations_routes), invitations_stmts};
