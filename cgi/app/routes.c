/* routes.c — the route table and each route's declared input fields. The same entry serves
 * /path (HTML) and /api/v1/path (JSON). Forms cannot send PATCH or DELETE, so those routes
 * have a POST twin. */
#include "handlers.h"

static const field_spec f_register[] = {
    {"username", "Username", FV_USERNAME, 1, 3, 32},
    {"password", "Password", FV_PASSWORD, 1, 8, 1024},
    {"display_name", "Display name", FV_TEXT, 1, 1, 64},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_login[] = {
    {"username", "Username", FV_TEXT, 1, 1, 64},
    {"password", "Password", FV_PASSWORD, 1, 1, 1024},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_profile[] = {
    {"display_name", "Display name", FV_TEXT, 0, 1, 64},
    {"status_text", "Status", FV_TEXT, 0, 0, 140},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_password[] = {
    {"current_password", "Current password", FV_PASSWORD, 1, 1, 1024},
    {"new_password", "New password", FV_PASSWORD, 1, 8, 1024},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_token[] = {
    {"name", "Token name", FV_TEXT, 1, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};

const route routes[] = {
    {"GET", "/healthz", h_health, R_JSON_ONLY, NULL, NULL, NULL},
    {"GET", "/", h_home, 0, "home", NULL, NULL},
    {"GET", "/register", h_form, 0, "register", NULL, NULL},
    {"POST", "/register", h_register, R_ANON_FORM, "register", f_register, NULL},
    {"GET", "/login", h_login_form, 0, "login", NULL, NULL},
    {"POST", "/login", h_login, R_ANON_FORM, "login", f_login, NULL},
    {"POST", "/logout", h_logout, 0, NULL, NULL, NULL},
    {"POST", "/logout/all", h_logout_all, R_AUTH, NULL, NULL, NULL},
    {"GET", "/me", h_me, R_AUTH, "me", NULL, NULL},
    {"PATCH", "/me", h_me_update, R_AUTH, "me", f_profile, h_me},
    {"POST", "/me", h_me_update, R_AUTH, "me", f_profile, h_me},
    {"POST", "/me/password", h_password, R_AUTH, "me", f_password, h_me},
    {"GET", "/me/sessions", h_sessions, R_AUTH, "sessions", NULL, NULL},
    {"DELETE", "/me/sessions/:id", h_session_revoke, R_AUTH, "sessions", NULL, h_sessions},
    {"POST", "/me/sessions/:id/revoke", h_session_revoke, R_AUTH, "sessions", NULL, h_sessions},
    {"GET", "/me/tokens", h_tokens, R_AUTH, "tokens", NULL, NULL},
    {"POST", "/me/tokens", h_token_create, R_AUTH, "tokens", f_token, h_tokens},
    {"DELETE", "/me/tokens/:id", h_token_revoke, R_AUTH, "tokens", NULL, h_tokens},
    {"POST", "/me/tokens/:id/revoke", h_token_revoke, R_AUTH, "tokens", NULL, h_tokens},
    {"GET", "/users/:username", h_user_show, 0, "user", NULL, NULL},
};
const size_t routes_count = sizeof routes / sizeof routes[0];
