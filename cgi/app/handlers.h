/* handlers.h — every route's handler; the route table in routes.c wires them up. A handler
 * reads declared input (already validated), calls the domain, and sets c->out. */
#ifndef PARLEY_HANDLERS_H
#define PARLEY_HANDLERS_H
#include "ctx.h"

err_t h_home(ctx *c);
err_t h_form(ctx *c);
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

extern const route routes[];
extern const size_t routes_count;

#endif
