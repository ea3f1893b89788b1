/* ctx.c — see ctx.h. */
#include "ctx.h"
#include <string.h>
#include "../http/cookie.h"

err_t ctx_fail(ctx *c, err_t e, const char *field, const char *msg)
{
    c->err_field = field;
    c->err_msg = msg;
    return e;
}

const char *ctx_str(ctx *c, const char *name)
{
    json_t *v = c->in ? json_object_get(c->in, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

void ctx_set_cookie(ctx *c, const char *name, const char *value, long max_age)
{
    /* auto: Secure when this request came over TLS, or when PARLEY_URL says browsers use TLS
     * (a proxy in front that does not say so still serves https://). */
    int secure = !strcmp(c->cfg->cookie_secure, "on") ||
                 (!strcmp(c->cfg->cookie_secure, "auto") && (c->rq.https || c->cfg->public_https));
    const char *v = cookie_build(c->a, name, value, max_age, secure);
    if (v) resp_header(c->rs, "Set-Cookie", v);
}

json_t *user_json(const user_row *u)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)u->id, "username", u->username,
                     "display_name", u->display_name, "status_text", u->status_text,
                     "created_at", u->created_at);
}
