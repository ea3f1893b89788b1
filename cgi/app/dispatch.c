/* dispatch.c — see dispatch.h. Errors become responses in exactly one place:
 * dispatch_error, through the table in core/err.c. */
#include "dispatch.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "../core/log.h"
#include "../http/body.h"
#include "../view/render.h"
#include "conv.h"
#include "events.h"
#include "handlers.h"
#include "people.h"
#include "presence.h"
#include "sessions.h"
#include "tokens.h"
#include "users.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.1.0"
#endif

const db_stmt *const dispatch_stmts[] = {db_core_stmts, users_stmts, tokens_stmts, people_stmts, contacts_stmts,
                                          conv_stmts, msg_stmts, broadcast_stmts, ev_stmts,
                                          presence_stmts, NULL};

void worker_init(worker *w, const config *cfg)
{
    w->cfg = cfg;
    db_init(&w->db, cfg->db, cfg->backend_timeout_ms, dispatch_stmts);
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

static int is_safe_method(const char *m) { return !strcmp(m, "GET") || !strcmp(m, "HEAD"); }

/* Who is asking: a bearer token (session or personal token), the session cookie, or nobody.
 * Shared with the events hub. */
err_t dispatch_auth(ctx *c)
{
    long long uid = 0;
    const char *h = c->rq.authorization;
    if (h) {
        if (strncasecmp(h, "Bearer ", 7))
            return ctx_fail(c, ERR_UNAUTHORIZED, NULL, "Send the token as: Authorization: Bearer <token>.");
        const char *tok = h + 7;
        while (*tok == ' ') tok++;
        err_t e;
        if (!strncmp(tok, "pat_", 4)) {
            e = tokens_lookup(c, tok, &uid, &c->token_id);
            c->auth = AUTH_TOKEN;
        } else {
            sess s;
            e = sess_lookup(c, tok, &s);
            uid = s.uid;
            memcpy(c->sess_id, s.id, sizeof c->sess_id);
            c->auth = AUTH_BEARER;
        }
        if (e == ERR_UNAUTHORIZED)
            return ctx_fail(c, e, NULL, "The token is invalid, expired or revoked.");
        if (e) return e;
    } else {
        const char *tok = req_cookie(&c->rq, "parley_session");
        if (tok && *tok) {
            sess s;
            err_t e = sess_lookup(c, tok, &s);
            if (e == ERR_UNAUTHORIZED) {
                ctx_set_cookie(c, "parley_session", "", 0);    /* stale: forget it */
            } else if (e) {
                return e;
            } else {
                uid = s.uid;
                memcpy(c->sess_id, s.id, sizeof c->sess_id);
                c->csrf = arena_strdup(c->a, s.csrf);
                c->auth = AUTH_COOKIE;
            }
        }
    }
    if (uid) {
        err_t e = users_by_id(c, uid, &c->user);
        if (e == ERR_NOT_FOUND) {
            c->user = NULL;
            if (c->auth != AUTH_COOKIE) return ERR_UNAUTHORIZED;
            c->auth = AUTH_NONE;
            c->csrf = NULL;
        } else if (e) {
            return e;
        }
    }
    return ERR_OK;
}

/* Anonymous pages carry a double-submit token: the parley_csrf cookie and a form field. */
static void anon_csrf(ctx *c)
{
    if (c->user || c->csrf) return;
    const char *have = req_cookie(&c->rq, "parley_csrf");
    if (have && secret_shape_ok(have, "")) { c->csrf = have; return; }
    char *tok = arena_alloc(c->a, SECRET_LEN + 1);
    if (!tok) return;
    secret_new(tok);
    ctx_set_cookie(c, "parley_csrf", tok, -1);
    c->csrf = tok;
}

static err_t csrf_check(ctx *c)
{
    if (is_safe_method(c->rq.method)) return ERR_OK;
    const char *sent = ctx_str(c, "csrf_token");
    if (!sent) sent = c->rq.csrf_header;
    if (c->auth == AUTH_COOKIE) {
        if (!sent || !c->csrf || !secret_equal(sent, c->csrf)) return ERR_CSRF;
    } else if (c->auth == AUTH_NONE && !c->rq.is_api && (c->rt->flags & R_ANON_FORM)) {
        const char *cookie = req_cookie(&c->rq, "parley_csrf");
        if (!sent || !cookie || !*cookie || !secret_equal(sent, cookie)) return ERR_CSRF;
    }
    return ERR_OK;
}

static err_t read_body(ctx *c, http_io *io)
{
    if (is_safe_method(c->rq.method)) {
        c->in = json_object();
        return c->in ? ERR_OK : ERR_INTERNAL;
    }
    long long len = c->rq.content_length < 0 ? 0 : c->rq.content_length;
    if ((unsigned long long)len > c->cfg->max_body)
        return ctx_fail(c, ERR_BODY_TOO_LARGE, NULL,
                        arena_printf(c->a, "The request body is larger than %zu bytes.", c->cfg->max_body));
    char *data = arena_alloc(c->a, (size_t)len + 1);
    if (!data) return ERR_INTERNAL;
    size_t got = 0;
    while (got < (size_t)len) {
        size_t n = io_read(io, data + got, (size_t)len - got);
        if (n == 0) break;
        got += n;
    }
    if (got != (size_t)len) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "The request body ended early.");
    return body_parse(c->a, c->rq.content_type, data, got, &c->in);
}

static err_t dispatch_run(ctx *c, http_io *io)
{
    char **envp = io_envp(io);
    err_t e = req_parse(&c->rq, c->a, io_getenv, envp, envp, c->cfg->trusted_proxy);
    if (e) return e;
    char allow[64];
    e = route_match(routes, routes_count, c->rq.method, c->rq.path, c->a, &c->rt, &c->params, allow, sizeof allow);
    if (e == ERR_METHOD_NOT_ALLOWED) resp_header(c->rs, "Allow", allow);
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no page at this address.");
    if (e) return e;
    if (c->rt->flags & R_JSON_ONLY) c->rq.is_api = 1;
    if ((e = read_body(c, io))) return e;
    if ((e = dispatch_auth(c))) return e;
    if (!c->rq.is_api) anon_csrf(c);
    if ((c->rt->flags & R_AUTH) && !c->user) return ERR_UNAUTHORIZED;
    if ((e = csrf_check(c))) return e;
    if ((e = fields_check(c->in, c->rt->fields, c->a, &c->err_field, &c->err_msg))) return e;
    return c->rt->fn(c);
}

/* The HDF every page sees: Page.*, Session.* and (when given) Data.* */
static HDF *page_hdf(ctx *c, json_t *data)
{
    HDF *h = view_hdf_new(c->cfg->templates);
    if (!h) return NULL;
    view_set(h, "Page.path", c->rq.path ? c->rq.path : "/");
    view_set(h, "Page.version", PARLEY_VERSION);
    const char *done = req_query(&c->rq, "done");
    if (done && strlen(done) <= 32 && strspn(done, "abcdefghijklmnopqrstuvwxyz_") == strlen(done))
        view_set(h, "Page.done", done);
    if (c->user) {
        char id[24];
        snprintf(id, sizeof id, "%lld", c->user->id);
        view_set(h, "Session.user.id", id);
        view_set(h, "Session.user.username", c->user->username);
        view_set(h, "Session.user.display_name", c->user->display_name);
        snprintf(id, sizeof id, "%ld", c->cfg->presence_away);   /* the live page's activity beacon */
        view_set(h, "Session.presence_away_s", id);
    }
    if (c->csrf) view_set(h, "Session.csrf", c->csrf);
    for (size_t i = 0; i < c->rq.query.n; i++) {          /* for links that keep the query */
        const char *k = c->rq.query.items[i].name;
        if (*k && strlen(k) <= 32 && strspn(k, "abcdefghijklmnopqrstuvwxyz_") == strlen(k))
            view_set(h, arena_printf(c->a, "Page.query.%s", k), c->rq.query.items[i].value);
    }
    char uuid[37];                  /* a fresh client_id for forms that send messages */
    secret_uuid(uuid);
    view_set(h, "Page.client_id", uuid);
    if (data) view_json_to_hdf(h, "Data", data);
    return h;
}

/* Renders page into the response body; 0 on success. */
static int render_page(ctx *c, HDF *h, const char *page)
{
    err_t e = h ? view_render(h, page, &c->rs->body) : ERR_INTERNAL;
    if (h) hdf_destroy(&h);
    if (e) return -1;
    c->rs->content_type = "text/html; charset=utf-8";
    return 0;
}

void dispatch_error(ctx *c, err_t e)
{
    const err_info *ei = err_lookup(e);
    const char *msg = c->err_msg ? c->err_msg : ei->message;
    resp *rs = c->rs;
    buf_reset(&rs->body);
    rs->status = ei->status;
    if (e == ERR_INTERNAL)
        log_error("%s %s: internal error", c->rq.method ? c->rq.method : "?", c->rq.raw_uri ? c->rq.raw_uri : "?");
    if (e == ERR_RATE_LIMITED) {
        char s[24];
        snprintf(s, sizeof s, "%ld", c->retry_after > 0 ? c->retry_after : 1);
        resp_header(rs, "Retry-After", s);
    }
    if (e == ERR_UNAUTHORIZED && c->rq.is_api) resp_header(rs, "WWW-Authenticate", "Bearer realm=\"parley\"");
    if (!c->rq.is_api) {
        if (e == ERR_UNAUTHORIZED && is_safe_method(c->rq.method)) {
            rs->status = 303;
            resp_header(rs, "Location", arena_printf(c->a, "/login?next=%s", url_encode(c->a, c->rq.path)));
            return;
        }
        anon_csrf(c);
        const char *page = "error";
        json_t *data = NULL;
        if (!is_safe_method(c->rq.method) && c->rt && c->rt->page && ei->status < 500 && e != ERR_UNAUTHORIZED) {
            page = c->rt->page;
            if (c->rt->refill && c->user) {
                json_decref(c->out);
                c->out = NULL;
                if (c->rt->refill(c) == ERR_OK) data = c->out;
            }
        }
        HDF *h = page_hdf(c, data);
        if (h) {
            char st[8];
            snprintf(st, sizeof st, "%d", ei->status);
            view_set(h, "Error.status", st);
            view_set(h, "Error.code", ei->code);
            view_set(h, "Error.message", msg);
            if (c->err_field) view_set(h, "Error.field", c->err_field);
            const char *k;
            json_t *v;
            if (c->in && strcmp(page, "error"))
                json_object_foreach(c->in, k, v) {
                    if (!json_is_string(v) || strstr(k, "password") || !strcmp(k, "csrf_token")) continue;
                    if (strlen(k) > 64 || strspn(k, "abcdefghijklmnopqrstuvwxyz_") != strlen(k)) continue;
                    view_set(h, arena_printf(c->a, "Form.%s", k), json_string_value(v));
                }
        }
        if (render_page(c, h, page) == 0) return;
        buf_reset(&rs->body);            /* a broken template: fall back to plain text */
        rs->content_type = "text/plain; charset=utf-8";
        buf_puts(&rs->body, msg);
        return;
    }
    json_t *err = json_pack("{s:s,s:s}", "code", ei->code, "message", msg);
    if (err && c->err_field) json_object_set_new(err, "field", json_string(c->err_field));
    json_t *body = err ? json_pack("{s:o}", "error", err) : NULL;
    rs->content_type = "application/json";
    if (body) view_json(body, &rs->body);
    json_decref(body);
}

static err_t dispatch_success(ctx *c)
{
    resp *rs = c->rs;
    rs->status = c->status;
    if (c->rq.is_api) {
        rs->content_type = "application/json";
        if (c->status != 204) {
            if (c->out) view_json(c->out, &rs->body);
            else buf_puts(&rs->body, "{}");
        }
        return rs->body.oom ? ERR_INTERNAL : ERR_OK;
    }
    if (c->redirect || c->status == 204 || !(c->page || c->rt->page)) {
        rs->status = 303;
        resp_header(rs, "Location", c->redirect ? c->redirect : "/");
        return ERR_OK;
    }
    return render_page(c, page_hdf(c, c->out), c->page ? c->page : c->rt->page) ? ERR_INTERNAL : ERR_OK;
}

void worker_ctx(worker *w, ctx *c)
{
    arena_reset(&w->a);
    resp_reset(&w->rs);
    buf_reset(&w->out);
    memset(c, 0, sizeof *c);
    c->cfg = w->cfg;
    c->db = &w->db;
    c->kv = &w->kv;
    c->a = &w->a;
    c->rs = &w->rs;
    c->status = 200;
}

void dispatch(worker *w, http_io *io)
{
    ctx c;
    worker_ctx(w, &c);
    err_t e = dispatch_run(&c, io);
    if (!e) e = dispatch_success(&c);
    if (e) dispatch_error(&c, e);
    resp_serialize(&w->rs, c.rq.method && !strcmp(c.rq.method, "HEAD"), &w->out);
    io_write(io, w->out.data, w->out.len);
    json_decref(c.in);
    json_decref(c.out);
}
