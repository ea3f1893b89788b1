/* handlers.h — every route's handler; the route table in routes.c wires them up. A handler
 * reads declared input (already validated), calls the domain, and sets c->out. */
#ifndef PARLEY_HANDLERS_H
#define PARLEY_HANDLERS_H
#include "ctx.h"

err_t h_home(ctx *c);
err_t h_health(ctx *c);
err_t h_register(ctx *c);
err_t h_login_form(ctx *c);
err_t h_login(ctx *c);
err_t h_logout(ctx *c);
err_t h_logout_all(ctx *c);
err_t h_me(ctx *c);
err_t h_me_update(ctx *c);
err_t h_password(ctx *c);
err_t h_user_show(ctx *c);
err_t h_sessions(ctx *c);
err_t h_session_revoke(ctx *c);
err_t h_tokens(ctx *c);
err_t h_token_create(ctx *c);
err_t h_token_revoke(ctx *c);

err_t h_contacts(ctx *c);
err_t h_contact_add(ctx *c);
err_t h_contact_accept(ctx *c);
err_t h_contact_decline(ctx *c);
err_t h_contact_remove(ctx *c);
err_t h_block_add(ctx *c);
err_t h_block_remove(ctx *c);
err_t h_users_search(ctx *c);
err_t h_convs(ctx *c);
err_t h_conv_create(ctx *c);
err_t h_conv_show(ctx *c);
err_t h_conv_settings(ctx *c);
err_t h_conv_update(ctx *c);
err_t h_member_add(ctx *c);
err_t h_member_role(ctx *c);
err_t h_member_remove(ctx *c);
err_t h_msg_send(ctx *c);
err_t h_msg_list(ctx *c);
err_t h_msg_edit_form(ctx *c);
err_t h_msg_edit(ctx *c);
err_t h_msg_delete(ctx *c);
err_t h_msg_react(ctx *c);
err_t h_msg_read(ctx *c);
err_t h_msg_delivered(ctx *c);
err_t h_conv_typing(ctx *c);
err_t h_presence(ctx *c);
err_t h_presence_active(ctx *c);
err_t h_broadcast_form(ctx *c);
err_t h_broadcast(ctx *c);

extern const db_stmt contacts_stmts[], broadcast_stmts[];
extern const route routes[];
extern const size_t routes_count;

#endif
