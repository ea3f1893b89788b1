/* profile.c — handlers: your profile, password change, public profiles. */
#include "handlers.h"
#include <ctype.h>
#include "account.h"
#include "presence.h"
#include "ratelimit.h"
#include "users.h"

/* Your own profile: the public fields and your settings. */
static json_t *me_json(const user_row *u)
{
    json_t *j = user_json(u);
    if (j) json_object_set_new(j, "read_receipts", json_boolean(u->read_receipts));
    if (j) json_object_set_new(j, "show_presence", json_boolean(u->show_presence));
    return j;
}

err_t h_me(ctx *c)
{
    c->out = json_pack("{s:o}", "user", me_json(c->user));
    return c->out ? ERR_OK : ERR_INTERNAL;
}

err_t h_me_update(ctx *c)
{
    user_row *u;
    json_t *rr = json_object_get(c->in, "read_receipts"), *sp = json_object_get(c->in, "show_presence");
    err_t e = users_update_profile(c, c->user->id, ctx_str(c, "display_name"), ctx_str(c, "status_text"),
                                   json_is_boolean(rr) ? json_is_true(rr) : -1,
                                   json_is_boolean(sp) ? json_is_true(sp) : -1, &u);
    if (e) return e;
    int shown_before = c->user->show_presence;
    c->user = u;
    if (u->show_presence != shown_before) presence_setting_changed(c);
    c->out = json_pack("{s:o}", "user", me_json(u));
    if (!c->rq.is_api) c->redirect = "/me?done=profile";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /me/password: a wrong current password counts against the account's login budget
 * (a stolen session cannot guess it without limit); a changed one ends every other session
 * and personal API token, so whoever knew the old password is out. */
err_t h_password(ctx *c)
{
    const char *key = account_budget(c, c->user->id);
    err_t e = rl_take(c, key, &c->cfg->rl_login_user);
    if (e) return account_limited(c, e);
    if ((e = users_check_password(c, c->user->id, ctx_str(c, "current_password")))) return e;
    rl_give(c, key);
    if ((e = users_set_password(c, c->user->id, ctx_str(c, "new_password")))) return e;
    if ((e = account_end_others(c, 1))) return e;
    if (!c->rq.is_api)
        c->redirect = arena_printf(c->a, "/me?done=password&sessions=%lld&tokens=%lld",
                                   json_integer_value(json_object_get(c->out, "sessions_ended")),
                                   json_integer_value(json_object_get(c->out, "tokens_revoked")));
    return ERR_OK;
}

err_t h_user_show(ctx *c)
{
    char *name = arena_strdup(c->a, route_param(&c->params, "username"));
    if (!name) return ERR_INTERNAL;
    for (char *p = name; *p; p++) *p = (char)tolower((unsigned char)*p);
    user_row *u;
    err_t e = username_valid(name) ? users_by_username(c, name, &u) : ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no user with that name.");
    if (e) return e;
    c->out = json_pack("{s:o}", "user", user_json(u));
    return c->out ? ERR_OK : ERR_INTERNAL;
}
