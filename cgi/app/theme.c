/* theme.c — POST /me/theme: the colour theme this browser shows (system, light or dark),
 * kept in the parley_theme cookie so that every page is rendered in it from the first byte
 * (<html data-theme>, dispatch.c) with no flash of the other one. */
#include "module.h"
#include <string.h>

static const field_spec f_theme[] = {
    {"theme", "Theme", FV_TEXT, 1, 1, 16},
    {NULL, NULL, 0, 0, 0, 0},
};

/* POST /me/theme */
static err_t h_theme(ctx *c)
{
    const char *t = ctx_str(c, "theme");
    if (!t || (strcmp(t, "system") && strcmp(t, "light") && strcmp(t, "dark")))
        return ctx_fail(c, ERR_INVALID_FIELD, "theme", "Choose system, light or dark.");
    if (!strcmp(t, "system")) ctx_set_cookie(c, "parley_theme", "", 0);   /* the system's again */
    else ctx_set_cookie(c, "parley_theme", t, 400L * 24 * 3600);
    c->out = json_pack("{s:s}", "theme", t);
    if (!c->rq.is_api) c->redirect = "/me?done=theme#theme-title";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const route theme_routes[] = {
    {"POST", "/me/theme", h_theme, R_AUTH | R_SETUP, NULL, f_theme, NULL, NULL},
};
const module theme_module = {"theme", MODULE_ROUTES(theme_routes), NULL};
