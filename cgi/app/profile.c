/* profile.c — handlers: your profile, password change, public profiles. */
#include "module.h"
#include "audit.h"
#include "twofactor.h"
#include <ctype.h>
#include <string.h>
#include "account.h"
#include "exports.h"
#include "email.h"
#include "presence.h"
#include "ratelimit.h"
#include "users.h"
#include "../core/tzfile.h"

const db_stmt profile_stmts[] = {
    /* Only the zone: the rest of the notification settings keep their values (notify.c). */
    {"profile_tz_set", "INSERT INTO notify_prefs (user_id, time_zone, clock24) VALUES ($1, $2, $3) "
                       "ON CONFLICT (user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, clock24 = EXCLUDED.clock24"},
    {NULL, NULL},
};

/* Your own profile: the public fields and your settings. */
static json_t *me_json(const user_row *u)
{
    json_t *j = user_json(u);
    if (j) json_object_set_new(j, "read_receipts", json_boolean(u->read_receipts));
    if (j) json_object_set_new(j, "show_presence", json_boolean(u->show_presence));
    /* What the account must do before anything else (dispatch.c's gate). */
    if (j) json_object_set_new(j, "must_change_password", json_boolean(u->must_change_password));
    if (j) json_object_set_new(j, "two_factor_setup_required", json_boolean(u->needs_2fa));
    /* Private to the account (never in public user JSON). */
    if (j) json_object_set_new(j, "email", u->email ? json_string(u->email) : json_null());
    if (j) json_object_set_new(j, "email_verified", json_boolean(u->email && u->email_verified));
    if (j) json_object_set_new(j, "time_zone", json_string(u->time_zone ? u->time_zone : "UTC"));
    if (j) json_object_set_new(j, "clock", json_string(u->clock24 ? "24h" : "12h"));
    return j;
}

/* {"user", "mail_configured"}: the page hides the e-mail form on a server without mail. */
static json_t *me_answer(svc *s, const user_row *u)
{
    return json_pack("{s:o,s:b}", "user", me_json(u), "mail_configured", email_enabled(s->cfg));
}

static err_t h_me(ctx *c)
{
    c->out = me_answer(&c->svc, c->svc.user);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* PATCH /me (or POST /me, POST /me/email): the profile's fields, and the e-mail address
 * ("" removes it; a new one is verified by a mailed link, see email.c). */
static err_t h_me_update(ctx *c)
{
    user_row *u;
    const char *email = ctx_str(c, "email");
    if (email) {
        err_t e = email_change(c, email, &u);
        if (e) return e;
        c->svc.user = u;
        if (!strcmp(c->rq.path, "/me/email")) {
            c->out = me_answer(&c->svc, u);
            if (!c->rq.is_api) c->redirect = !*email ? "/me?done=email_removed" : u->email_verified ? "/me?done=profile"
                                                                                                   : "/me?done=email";
            return c->out ? ERR_OK : ERR_INTERNAL;
        }
    }
    json_t *rr = json_object_get(c->in, "read_receipts"), *sp = json_object_get(c->in, "show_presence");
    err_t e = users_update_profile(&c->svc, c->svc.user->id, ctx_str(c, "display_name"), ctx_str(c, "status_text"),
                                   json_is_boolean(rr) ? json_is_true(rr) : -1,
                                   json_is_boolean(sp) ? json_is_true(sp) : -1, &u);
    if (e) return e;
    int shown_before = c->svc.user->show_presence;
    c->svc.user = u;
    if (u->show_presence != shown_before) presence_setting_changed(&c->svc);
    c->out = me_answer(&c->svc, u);
    if (!c->rq.is_api) c->redirect = email && *email && !u->email_verified ? "/me?done=email" : "/me?done=profile";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /me/password. Wrong current passwords are limited by a budget of their own (a stolen
 * session cannot guess without limit), and each also counts as a failed login of the
 * account; the login budget alone never refuses a password change, so someone locking
 * the account's logins cannot keep its owner from changing a leaked password. A changed
 * password ends every other session and personal API token: whoever knew the old one is
 * out. */
static err_t h_password(ctx *c)
{
    svc *s = &c->svc;
    const char *key = arena_printf(s->a, "pw:u:%lld", s->user->id);
    err_t e = rl_take(s, key, &s->cfg->rl_login_user);
    if (e) return account_limited(s, e);
    if ((e = users_check_password(s, s->user->id, ctx_str(c, "current_password")))) {
        if (e == ERR_WRONG_PASSWORD) {
            rl_take(s, account_budget(s, s->user->id), &s->cfg->rl_login_user);
            audit_record(s, "password.wrong", s->user->id, s->user->id, c->rq.client_ip, NULL);
        }
        else rl_give(s, key);                             /* not a guess: the database failed */
        return e;
    }
    rl_give(s, key);
    if (!strcmp(ctx_str(c, "new_password"), ctx_str(c, "current_password")))
        return ctx_fail(c, ERR_INVALID_FIELD, "new_password", "Choose a new password, not the one you have.");
    if ((e = users_set_password(s, s->user->id, ctx_str(c, "new_password")))) return e;
    audit_record(s, "password.change", s->user->id, s->user->id, c->rq.client_ip, NULL);
    /* Changed: the others must go. Redis failing here is said plainly (the password has
     * changed, so a retry of this form would fail on the current password). */
    if ((e = account_end_others(c, 1)) && (e = account_end_others(c, 1)))
        return svc_fail(s, e, NULL, "Your password was changed, but your other sessions could not all be "
                                    "signed out. Use \u201cLog out everywhere\u201d to end them.");
    if (!c->rq.is_api)
        c->redirect = arena_printf(s->a, "/me?done=password&sessions=%lld&tokens=%lld",
                                   json_integer_value(json_object_get(c->out, "sessions_ended")),
                                   json_integer_value(json_object_get(c->out, "tokens_revoked")));
    return ERR_OK;
}

static err_t h_user_show(ctx *c)
{
    char *name = arena_strdup(c->svc.a, route_param(&c->params, "username"));
    if (!name) return ERR_INTERNAL;
    for (char *p = name; *p; p++) *p = (char)tolower((unsigned char)*p);
    user_row *u;
    err_t e = username_valid(name) ? users_by_username(&c->svc, name, &u) : ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no user with that name.");
    if (e) return e;
    c->out = json_pack("{s:o}", "user", user_json(u));
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec f_profile[] = {
    {"display_name", "Display name", FV_TEXT, 0, 1, 64},
    {"status_text", "Status", FV_TEXT, 0, 0, 140},
    {"read_receipts", "Read receipts", FV_BOOL, 0, 0, 0},
    {"show_presence", "Show when I'm online", FV_BOOL, 0, 0, 0},
    {"email", "E-mail address", FV_TEXT, 0, 0, 270},     /* email.c parses it */
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_email[] = {
    {"email", "E-mail address", FV_TEXT, 1, 0, 270},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_password[] = {
    {"current_password", "Current password", FV_BYTES, 1, 1, 1024},
    {"new_password", "New password", FV_BYTES, 1, 8, 1024},
    {NULL, NULL, 0, 0, 0, 0},
};

/* DELETE /me {"password","totp"?} (or POST /me/delete): the account goes, with its
 * sessions, tokens, memberships, contacts and uploads; its messages stay in the others'
 * history as from "Deleted account". */
static err_t h_me_delete(ctx *c)
{
    svc *s = &c->svc;
    const char *key = arena_printf(s->a, "pw:u:%lld", s->user->id);
    err_t e = rl_take(s, key, &s->cfg->rl_login_user);
    if (e) return account_limited(s, e);
    if ((e = users_check_password(s, s->user->id, ctx_str(c, "password")))) {
        if (e == ERR_WRONG_PASSWORD) rl_take(s, account_budget(s, s->user->id), &s->cfg->rl_login_user);
        else rl_give(s, key);
        return e;
    }
    int on, ok = 1;
    if ((e = twofactor_enabled(s, s->user->id, &on))) return e;
    if (on && (e = twofactor_check(s, s->user->id, ctx_str(c, "totp"), &ok))) return e;
    if (!ok) return ctx_fail(c, ERR_INVALID_CREDENTIALS, "totp", "Two-factor sign-in is on: give a current code or a recovery code.");
    rl_give(s, key);
    long long id = s->user->id;
    const char *name = arena_strdup(s->a, s->user->username);
    if ((e = account_end_others(c, 0))) return e;          /* sessions, tokens and streams end first */
    json_decref(c->out);
    c->out = NULL;
    if ((e = exports_delete_all(s, id))) return e;        /* their files first: the rows name them */
    if ((e = users_delete(s, id))) return e;
    audit_record(s, "account.delete", 0, 0, c->rq.client_ip, json_pack("{s:I,s:s}", "user_id", (json_int_t)id, "username", name));
    s->user = NULL;
    c->out = json_pack("{s:b}", "deleted", 1);
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", "", 0);
        c->redirect = "/?done=deleted";
    }
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* PUT /me/time-zone {"time_zone"?,"clock"?} (or POST, the form on /me): the zone pages show
 * times in, the same setting as the Notifications page's (notify_prefs.time_zone): an IANA
 * name that PostgreSQL knows and this server can read (tzfile.c), empty is UTC; and the clock,
 * "12h" ("3:05 PM") or "24h" ("15:05"). Either kept as it is when absent. */
static err_t h_time_zone(ctx *c)
{
    svc *s = &c->svc;
    const char *tz = ctx_str(c, "time_zone"), *clock = ctx_str(c, "clock");
    if (clock && strcmp(clock, "12h") && strcmp(clock, "24h"))
        return ctx_fail(c, ERR_INVALID_FIELD, "clock", "The clock is 12h (3:05 PM) or 24h (15:05).");
    if (!tz && clock) tz = s->user->time_zone;       /* only the clock changes */
    if (!tz || !*tz) tz = "UTC";
    const char *tp[] = {tz};
    PGresult *r;
    err_t e = db_exec(s->db, "notify_tz_known", 1, tp, &r);
    if (e) return e;
    int known = PQntuples(r) && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!known || !tz_zone_get(tz))
        return ctx_fail(c, ERR_INVALID_FIELD, "time_zone", "Name a time zone like Europe/Berlin or America/New_York.");
    const char *p[] = {id_str(s, s->user->id), tz, clock ? (strcmp(clock, "24h") ? "false" : "true")
                                                             : s->user->clock24 ? "true" : "false"};
    if ((e = db_run(s->db, "profile_tz_set", 3, p))) return e;
    users_changed(s, s->user->id);                       /* the user row carries time_zone and clock24 */
    user_row *u;
    if ((e = users_by_id(s, s->user->id, &u))) return e;
    s->user = u;
    if (!c->rq.is_api) c->redirect = "/me?done=time_zone#time-zone-title";
    return h_me(c);
}

static const field_spec f_time_zone[] = {
    {"time_zone", "Time zone", FV_TEXT, 0, 0, 64},
    {"clock", "Clock", FV_TEXT, 0, 0, 3},
    {NULL, NULL, 0, 0, 0, 0},
};

static const field_spec f_delete[] = {
    {"password", "Password", FV_BYTES, 1, 1, 1024},
    {"totp", "Code", FV_TEXT, 0, 0, 32},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route profile_routes[] = {
    {"GET", "/me", h_me, R_AUTH | R_SETUP, "me", NULL, NULL, NULL},
    {"PATCH", "/me", h_me_update, R_AUTH, "me", f_profile, h_me, NULL},
    {"POST", "/me", h_me_update, R_AUTH, "me", f_profile, h_me, NULL},
    {"POST", "/me/email", h_me_update, R_AUTH, "me", f_email, h_me, NULL},
    {"POST", "/me/password", h_password, R_AUTH | R_SETUP, "me", f_password, h_me, NULL},
    {"DELETE", "/me", h_me_delete, R_AUTH | R_SETUP, "me", f_delete, h_me, NULL},
    {"POST", "/me/delete", h_me_delete, R_AUTH | R_SETUP, "me", f_delete, h_me, NULL},
    {"GET", "/users/:username", h_user_show, 0, "user", NULL, NULL, NULL},
    {"PUT", "/me/time-zone", h_time_zone, R_AUTH, "me", f_time_zone, h_me, NULL},
    {"POST", "/me/time-zone", h_time_zone, R_AUTH, "me", f_time_zone, h_me, NULL},
};
const module profile_module = {"profile", MODULE_ROUTES(profile_routes), profile_stmts};
