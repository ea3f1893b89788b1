/* ctx.c — see ctx.h. */
#include "ctx.h"
#include <string.h>
#include "../http/cookie.h"
#include "dispatch.h"
#include "module.h"

err_t ctx_fail(ctx *c, err_t e, const char *field, const char *msg) { return svc_fail(&c->svc, e, field, msg); }

const char *ctx_str(ctx *c, const char *name)
{
    json_t *v = c->in ? json_object_get(c->in, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *ctx_qstr(ctx *c, const char *name)
{
    json_t *v = c->q ? json_object_get(c->q, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int ctx_qint(ctx *c, const char *name, long long *out)
{
    json_t *v = c->q ? json_object_get(c->q, name) : NULL;
    *out = json_is_integer(v) ? json_integer_value(v) : 0;
    return json_is_integer(v);
}

void ctx_set_cookie(ctx *c, const char *name, const char *value, long max_age)
{
    /* auto: Secure when this request came over TLS, or when PARLEY_URL says browsers use TLS
     * (a proxy in front that does not say so still serves https://). */
    int secure = !strcmp(c->svc.cfg->cookie_secure, "on") ||
                 (!strcmp(c->svc.cfg->cookie_secure, "auto") && (c->rq.https || c->svc.cfg->public_https));
    const char *v = cookie_build(c->svc.a, name, value, max_age, secure);
    if (v) resp_header(c->rs, "Set-Cookie", v);
}

void worker_init(worker *w, const config *cfg)
{
    w->cfg = cfg;
    db_init(&w->db, cfg->db, cfg->backend_timeout_ms, modules_stmts());
    kv_init(&w->kv, cfg->redis, cfg->backend_timeout_ms);
    arena_init(&w->a);
    resp_init(&w->rs);
    buf_init(&w->out);
}

void worker_free(worker *w)
{
    db_close(&w->db);
    kv_close(&w->kv);
    arena_free(&w->a);
    resp_free(&w->rs);
    buf_free(&w->out);
}

void worker_svc(worker *w, svc *s)
{
    arena_reset(&w->a);
    *s = (svc){.cfg = w->cfg, .db = &w->db, .kv = &w->kv, .a = &w->a};
}

void worker_ctx(worker *w, ctx *c)
{
    memset(c, 0, sizeof *c);
    worker_svc(w, &c->svc);
    resp_reset(&w->rs);
    buf_reset(&w->out);
    c->rs = &w->rs;
    c->status = 200;
}

const char *ctx_header(ctx *c, const char *cgi_name)
{
    return c->io ? io_getenv(io_envp(c->io), cgi_name) : NULL;
}
