/* profile.c — handlers: your profile, password change, public profiles. */
#include "handlers.h"
#include <ctype.h>
#include "presence.h"
#include "sessions.h"
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

err_t h_password(ctx *c)
{
    err_t e = users_check_password(c, c->user->id, ctx_str(c, "current_password"));
    if (!e) e = users_set_password(c, c->user->id, ctx_str(c, "new_password"));
    /* A changed password ends every other session: whoever knew the old one is out. */
    if (!e) e = sess_revoke_all(c, c->user->id, c->sess_id);
    if (e) return e;
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/me?done=password";
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
