/* routes.c — the route table and each route's declared input fields. The same entry serves
 * /path (HTML) and /api/v1/path (JSON). Forms cannot send PATCH or DELETE, so those routes
 * have a POST twin. */
#include "handlers.h"

static const field_spec f_register[] = {
    {"username", "Username", FV_USERNAME, 1, 3, 32},
    {"password", "Password", FV_BYTES, 1, 8, 1024},
    {"display_name", "Display name", FV_TEXT, 1, 1, 64},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_login[] = {
    {"username", "Username", FV_TEXT, 1, 1, 64},
    {"password", "Password", FV_BYTES, 1, 1, 1024},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_profile[] = {
    {"display_name", "Display name", FV_TEXT, 0, 1, 64},
    {"status_text", "Status", FV_TEXT, 0, 0, 140},
    {"read_receipts", "Read receipts", FV_BOOL, 0, 0, 0},
    {"show_presence", "Show when I'm online", FV_BOOL, 0, 0, 0},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_password[] = {
    {"current_password", "Current password", FV_BYTES, 1, 1, 1024},
    {"new_password", "New password", FV_BYTES, 1, 8, 1024},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_token[] = {
    {"name", "Token name", FV_TEXT, 1, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};

static const field_spec f_username[] = {
    {"username", "Username", FV_USERNAME, 1, 3, 32},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_conv_create[] = {
    {"kind", "Kind", FV_TEXT, 1, 1, 16},
    {"title", "Title", FV_TEXT, 0, 0, 100},
    {"description", "Description", FV_MULTILINE, 0, 0, 1000},
    {"username", "Username", FV_USERNAME, 0, 3, 32},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_conv_update[] = {
    {"title", "Title", FV_TEXT, 0, 0, 100},
    {"description", "Description", FV_MULTILINE, 0, 0, 1000},
    {NULL, NULL, 0, 0, 0, 0},
};
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
static const field_spec f_msg_send[] = {
    {"body", "Message", FV_BYTES, 1, 1, 1048576},       /* bytes; capped by PARLEY_MAX_MESSAGE */
    {"client_id", "client_id", FV_UUID, 0, 0, 0},
    {"reply_to", "reply_to", FV_INT, 0, 1, 999999999999999LL},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_msg_edit[] = {
    {"body", "Message", FV_BYTES, 1, 1, 1048576},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_react[] = {
    {"emoji", "Emoji", FV_BYTES, 1, 1, 32},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_read[] = {
    {"seq", "seq", FV_INT, 1, 0, 999999999999999LL},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_broadcast[] = {
    {"body", "Message", FV_BYTES, 1, 1, 1048576},
    {"client_id", "client_id", FV_UUID, 1, 0, 0},
    {"user_ids", "user_ids", FV_IDS, 0, 0, 500},
    {"usernames", "Usernames", FV_NAMES, 0, 0, 500},
    {"conversation_ids", "Conversations", FV_IDS, 0, 0, 500},
    {NULL, NULL, 0, 0, 0, 0},
};

const route routes[] = {
    {"GET", "/healthz", h_health, R_JSON_ONLY, NULL, NULL, NULL},
    {"GET", "/", h_home, 0, "home", NULL, NULL},
    {"GET", "/register", h_login_form, 0, "register", NULL, NULL},
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
    {"GET", "/users", h_users_search, R_AUTH, "people", NULL, NULL},

    {"GET", "/contacts", h_contacts, R_AUTH, "contacts", NULL, NULL},
    {"POST", "/contacts", h_contact_add, R_AUTH, "contacts", f_username, h_contacts},
    {"POST", "/contacts/:user_id/accept", h_contact_accept, R_AUTH, "contacts", NULL, h_contacts},
    {"POST", "/contacts/:user_id/decline", h_contact_decline, R_AUTH, "contacts", NULL, h_contacts},
    {"DELETE", "/contacts/:user_id", h_contact_remove, R_AUTH, "contacts", NULL, h_contacts},
    {"POST", "/contacts/:user_id/remove", h_contact_remove, R_AUTH, "contacts", NULL, h_contacts},
    {"POST", "/blocks", h_block_add, R_AUTH, "contacts", f_username, h_contacts},
    {"DELETE", "/blocks/:user_id", h_block_remove, R_AUTH, "contacts", NULL, h_contacts},
    {"POST", "/blocks/:user_id/remove", h_block_remove, R_AUTH, "contacts", NULL, h_contacts},

    {"GET", "/conversations", h_convs, R_AUTH, "conversations", NULL, NULL},
    {"POST", "/conversations", h_conv_create, R_AUTH, "conversations", f_conv_create, h_convs},
    {"GET", "/conversations/:id", h_conv_show, R_AUTH, "conversation", NULL, NULL},
    {"PATCH", "/conversations/:id", h_conv_update, R_AUTH, "conversation_settings", f_conv_update, h_conv_settings},
    {"GET", "/conversations/:id/settings", h_conv_settings, R_AUTH, "conversation_settings", NULL, NULL},
    {"POST", "/conversations/:id/settings", h_conv_update, R_AUTH, "conversation_settings", f_conv_update, h_conv_settings},
    {"POST", "/conversations/:id/members", h_member_add, R_AUTH, "conversation_settings", f_member_add, h_conv_settings},
    {"PATCH", "/conversations/:id/members/:user_id", h_member_role, R_AUTH, "conversation_settings", f_member_role, h_conv_settings},
    {"POST", "/conversations/:id/members/:user_id/role", h_member_role, R_AUTH, "conversation_settings", f_member_role, h_conv_settings},
    {"DELETE", "/conversations/:id/members/:user_id", h_member_remove, R_AUTH, "conversation_settings", NULL, h_conv_settings},
    {"POST", "/conversations/:id/members/:user_id/remove", h_member_remove, R_AUTH, "conversation_settings", NULL, h_conv_settings},
    {"GET", "/conversations/:id/messages", h_msg_list, R_AUTH, "conversation", NULL, NULL},
    {"POST", "/conversations/:id/messages", h_msg_send, R_AUTH, "conversation", f_msg_send, h_conv_show},
    {"GET", "/conversations/:id/messages/:seq/edit", h_msg_edit_form, R_AUTH, "message_edit", NULL, NULL},
    {"PATCH", "/conversations/:id/messages/:seq", h_msg_edit, R_AUTH, "message_edit", f_msg_edit, h_msg_edit_form},
    {"POST", "/conversations/:id/messages/:seq/edit", h_msg_edit, R_AUTH, "message_edit", f_msg_edit, h_msg_edit_form},
    {"DELETE", "/conversations/:id/messages/:seq", h_msg_delete, R_AUTH, "conversation", NULL, h_conv_show},
    {"POST", "/conversations/:id/messages/:seq/delete", h_msg_delete, R_AUTH, "conversation", NULL, h_conv_show},
    {"POST", "/conversations/:id/messages/:seq/reactions", h_msg_react, R_AUTH, "conversation", f_react, h_conv_show},
    {"POST", "/conversations/:id/read", h_msg_read, R_AUTH, "conversation", f_read, h_conv_show},
    {"POST", "/conversations/:id/delivered", h_msg_delivered, R_AUTH, "conversation", f_read, h_conv_show},
    {"POST", "/conversations/:id/typing", h_conv_typing, R_AUTH, "conversation", NULL, h_conv_show},

    {"GET", "/presence", h_presence, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL},
    {"POST", "/presence/active", h_presence_active, R_AUTH, NULL, NULL, NULL},

    {"GET", "/broadcasts", h_broadcast_form, R_AUTH, "broadcast", NULL, NULL},
    {"POST", "/broadcasts", h_broadcast, R_AUTH, "broadcast", f_broadcast, h_broadcast_form},
};
const size_t routes_count = sizeof routes / sizeof routes[0];
