/* dispatch.c — see dispatch.h. Errors become responses in exactly one place:
 * dispatch_error, through the table in core/err.c. */
#include "dispatch.h"
#include "admin.h"
#include "answer.h"
#include "auth.h"
#include "inbox.h"
#include "requests.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include "../core/log.h"
#include "../core/metrics.h"
#include "../core/utf8.h"
#include "../http/body.h"
#include "../http/multipart.h"
#include "upload.h"
#include "../view/render.h"
#include "msg.h"
#include "events.h"
#include "module.h"
#include "people.h"
#include "presence.h"
#include "sessions.h"
#include "tokens.h"
#include "users.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.1.0"
#endif


static int is_safe_method(const char *m) { return !strcmp(m, "GET") || !strcmp(m, "HEAD"); }

static err_t read_body(ctx *c, http_io *io)
{
    if (is_safe_method(c->rq.method)) {
        c->in = json_object();
        return c->in ? ERR_OK : ERR_INTERNAL;
    }
    long long len = c->rq.content_length < 0 ? 0 : c->rq.content_length;
    if ((unsigned long long)len > c->svc.cfg->max_body)
        return ctx_fail(c, ERR_BODY_TOO_LARGE, NULL,
                        arena_printf(c->svc.a, "The request body is larger than %zu bytes.", c->svc.cfg->max_body));
    char *data = arena_alloc(c->svc.a, (size_t)len + 1);
    if (!data) return ERR_INTERNAL;
    size_t got = 0;
    while (got < (size_t)len) {
        size_t n = io_read(io, data + got, (size_t)len - got);
        if (n == 0) break;
        got += n;
    }
    if (got != (size_t)len) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "The request body ended early.");
    return body_parse(c->svc.a, c->rq.content_type, data, got, &c->in);
}

/* The route's declared query fields, checked like body fields into c->q; others are ignored. */
static err_t query_check(ctx *c)
{
    if (!(c->q = json_object())) return ERR_INTERNAL;
    for (const field_spec *f = c->rt->query; f && f->name; f++) {
        const char *v = req_query(&c->rq, f->name);
        if (v && json_object_set_new(c->q, f->name, json_string(v))) {
            if (!utf8_valid(v, strlen(v))) return svc_fail(&c->svc, ERR_INVALID_UTF8, f->name, "The query must be UTF-8 text.");
            return ERR_INTERNAL;
        }
    }
    return fields_check(c->q, c->rt->query, c->svc.a, &c->svc.err_field, &c->svc.err_msg);
}

static err_t dispatch_run(ctx *c, http_io *io)
{
    char **envp = io_envp(io);
    err_t e = req_parse(&c->rq, c->svc.a, io_getenv, envp, envp, c->svc.cfg->trusted_proxy);
    if (e) return e;
    char allow[64];
    size_t nroutes;
    const route *routes = modules_routes(&nroutes);
    e = route_match(routes, nroutes, c->rq.method, c->rq.path, c->svc.a, &c->rt, &c->params, allow, sizeof allow);
    if (e == ERR_METHOD_NOT_ALLOWED) resp_header(c->rs, "Allow", allow);
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no page at this address.");
    if (e) return e;
    if (c->rt->flags & R_JSON_ONLY) c->rq.is_api = 1;
    c->io = io;
    /* Files are streamed only after the caller is known; other bodies are read first. */
    int form = (c->rt->flags & R_UPLOAD) && mp_is_multipart(c->rq.content_type);
    int streamed = !is_safe_method(c->rq.method) && (form || (c->rt->flags & R_RAW_BODY));
    if (!streamed && (e = read_body(c, io))) return e;
    if ((e = auth_resolve(c))) return e;
    if (!c->rq.is_api) auth_anon_csrf(c);
    if ((c->rt->flags & R_AUTH) && !c->svc.user) return ERR_UNAUTHORIZED;
    /* What an administrator requires of the account comes before anything else it does. */
    if (c->svc.user && !(c->rt->flags & R_SETUP) && (e = auth_gate(c->svc.user))) return e;
    if (streamed) {
        if (form) e = upload_form(c, io);
        else e = (c->in = json_object()) ? ERR_OK : ERR_INTERNAL;
        if (e) return e;
    }
    if (!(c->rt->flags & R_PUBLIC) && !c->csrf_ok && (e = auth_csrf_check(c))) return e;
    if ((e = fields_check(c->in, c->rt->fields, c->svc.a, &c->svc.err_field, &c->svc.err_msg))) return e;
    if ((e = query_check(c))) return e;
    return c->rt->fn(c);
}

/* The HDF every page sees: Page.*, Session.* and (when given) Data.* */
static HDF *page_hdf(ctx *c, json_t *data)
{
    HDF *h = view_hdf_new(c->svc.cfg->templates);
    if (!h) return NULL;
    view_set(h, "Page.path", c->rq.path ? c->rq.path : "/");
    view_set(h, "Page.version", PARLEY_VERSION);
    view_set(h, "Page.instance_name", admin_instance_name(&c->svc));   /* the administrators' name for it */
    const char *done = req_query(&c->rq, "done");
    if (done && strlen(done) <= 32 && strspn(done, "abcdefghijklmnopqrstuvwxyz_") == strlen(done))
        view_set(h, "Page.done", done);
    if (c->svc.user) {
        char id[24];
        snprintf(id, sizeof id, "%lld", c->svc.user->id);
        view_set(h, "Session.user.id", id);
        view_set(h, "Session.user.username", c->svc.user->username);
        view_set(h, "Session.user.display_name", c->svc.user->display_name);
        if (c->svc.user->is_admin) view_set(h, "Session.user.is_admin", "1");
        if (c->svc.user->time_zone) view_set(h, "Session.time_zone", c->svc.user->time_zone);   /* local_time() */
        if (c->svc.user->clock24) view_set(h, "Session.clock24", "1");
        if (c->svc.user->must_change_password) view_set(h, "Session.user.must_change_password", "1");
        else if (c->svc.user->needs_2fa) view_set(h, "Session.user.needs_2fa", "1");
        if (c->svc.user->avatar_id)
            view_set(h, "Session.user.avatar_url",
                     arena_printf(c->svc.a, "/api/v1/media/%lld/thumb/320", c->svc.user->avatar_id));
        snprintf(id, sizeof id, "%ld", c->svc.cfg->presence_away);   /* the live page's activity beacon */
        view_set(h, "Session.presence_away_s", id);
    }
    const char *theme = req_cookie(&c->rq, "parley_theme");   /* chosen on /me (theme.c) */
    if (theme && (!strcmp(theme, "light") || !strcmp(theme, "dark"))) view_set(h, "Page.theme", theme);
    if (c->csrf) view_set(h, "Session.csrf", c->csrf);
    for (size_t i = 0; i < c->rq.query.n; i++) {          /* for links that keep the query */
        const char *k = c->rq.query.items[i].name;
        if (*k && strlen(k) <= 32 && strspn(k, "abcdefghijklmnopqrstuvwxyz_") == strlen(k))
            view_set(h, arena_printf(c->svc.a, "Page.query.%s", k), c->rq.query.items[i].value);
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
    if (e == ERR_BODY_TOO_LARGE && !c->svc.err_msg)      /* the web server's 413 says the limits too */
        c->svc.err_msg = arena_printf(c->svc.a, "The request is too large: a file may be at most %lld MB, other "
                                      "requests %zu KB.", c->svc.cfg->max_upload / 1000000, c->svc.cfg->max_body / 1024);
    if (c->rq.is_api) { answer_error_json(c, e); return; }
    const err_info *ei = err_lookup(e);
    const char *msg = c->svc.err_msg ? c->svc.err_msg : ei->message;
    resp *rs = c->rs;
    answer_error_head(c, e);
    if ((e == ERR_PASSWORD_CHANGE_REQUIRED || e == ERR_TWO_FACTOR_SETUP_REQUIRED) && is_safe_method(c->rq.method)) {
        rs->status = 303;            /* to the one page that lets them through */
        resp_header(rs, "Location", e == ERR_PASSWORD_CHANGE_REQUIRED ? "/me#password" : "/me/2fa");
        return;
    }
    if (e == ERR_UNAUTHORIZED && is_safe_method(c->rq.method)) {
        rs->status = 303;
        resp_header(rs, "Location", arena_printf(c->svc.a, "/login?next=%s", url_encode(c->svc.a, c->rq.path)));
        return;
    }
    auth_anon_csrf(c);
    const char *page = "error";
    json_t *data = NULL;
    /* A failed form is shown again with its page's data; never after a CSRF failure, which
     * may come from another site (the refill, the conversation page, marks it read). A GET
     * page whose route has a refill (a search with a bad query) is shown again too. */
    if ((!is_safe_method(c->rq.method) || (c->rt && c->rt->refill)) && c->rt && c->rt->page && ei->status < 500 &&
        e != ERR_UNAUTHORIZED && e != ERR_CSRF) {
        page = c->rt->page;
        if (c->rt->refill && c->svc.user) {
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
        if (c->svc.err_field) view_set(h, "Error.field", c->svc.err_field);
        const char *k;
        json_t *v;
        if (c->in && strcmp(page, "error"))
            json_object_foreach(c->in, k, v) {
                if (!json_is_string(v) || strstr(k, "password") || !strcmp(k, "csrf_token")) continue;
                if (strlen(k) > 64 || strspn(k, "abcdefghijklmnopqrstuvwxyz_") != strlen(k)) continue;
                view_set(h, arena_printf(c->svc.a, "Form.%s", k), json_string_value(v));
            }
    }
    if (render_page(c, h, page) == 0) return;
    buf_reset(&rs->body);            /* a broken template: fall back to plain text */
    rs->content_type = "text/plain; charset=utf-8";
    buf_puts(&rs->body, msg);
}

static err_t dispatch_success(ctx *c)
{
    resp *rs = c->rs;
    rs->status = c->status;
    if (rs->file_path || c->raw) return ERR_OK;   /* a download or an image: set by the handler */
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
    HDF *h = page_hdf(c, c->out);
    long long unread, in;                  /* the navigation's badge and the tab's count */
    if (h && c->svc.user && inbox_unread(&c->svc, &unread, &in) == ERR_OK && unread > 0)
        view_set(h, "Session.unread", arena_printf(c->svc.a, "%lld", unread));
    long long mreq, creq;                  /* the Requests and Contacts badges */
    if (h && c->svc.user && requests_counts(&c->svc, &mreq, &creq) == ERR_OK) {
        if (mreq > 0) view_set(h, "Session.requests", arena_printf(c->svc.a, "%lld", mreq));
        if (creq > 0) view_set(h, "Session.contact_requests", arena_printf(c->svc.a, "%lld", creq));
    }
    return render_page(c, h, c->page ? c->page : c->rt->page) ? ERR_INTERNAL : ERR_OK;
}

static int dispatch_write(void *ud, const char *p, size_t n) { return io_write(ud, p, n); }

/* The request's id: a well-formed X-Request-Id from the trusted proxy (so its log and ours
 * meet), else a fresh one. Sent back as X-Request-Id and written in the access log. */
static void dispatch_request_id(ctx *c, http_io *io)
{
    const char *remote = io_getenv(io_envp(io), "REMOTE_ADDR"), *given = io_getenv(io_envp(io), "HTTP_X_REQUEST_ID");
    size_t n = given ? strlen(given) : 0;
    if (n && n < sizeof c->request_id && remote && *c->svc.cfg->trusted_proxy && !strcmp(remote, c->svc.cfg->trusted_proxy) &&
        strspn(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == n) {
        memcpy(c->request_id, given, n + 1);
        return;
    }
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(c->request_id, sizeof c->request_id, r, sizeof r);
}

/* One line per request: its id, method, path (never the query string: it may hold a
 * token), status, time taken, route, client and user. */
static void dispatch_access_log(ctx *c, double ms)
{
    const char *pattern = c->rt ? c->rt->pattern : "-";
    long long uid = c->svc.user ? c->svc.user->id : 0;
    /* A path that is a credential (/hooks/<secret>) is logged as its pattern. */
    const char *path = c->rt && (c->rt->flags & R_SECRET_PATH) ? pattern : c->rq.path;
    if (c->svc.cfg->access_log == CONFIG_ACCESS_LOG_TEXT) {
        log_msg("req", "id=%s %s %s %d %.1fms route=%s ip=%s user=%lld", c->request_id, c->rq.method ? c->rq.method : "-",
                path ? path : "-", c->rs->status, ms, pattern, c->rq.client_ip ? c->rq.client_ip : "-", uid);
    } else if (c->svc.cfg->access_log == CONFIG_ACCESS_LOG_JSON) {
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:i,s:f,s:s,s:s,s:I}", "level", "req", "id", c->request_id,
                              "method", c->rq.method ? c->rq.method : "", "path", path ? path : "",
                              "status", c->rs->status, "ms", ms, "route", pattern,
                              "ip", c->rq.client_ip ? c->rq.client_ip : "", "user", (json_int_t)uid);
        char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
        if (line) log_json(line);
        free(line);
        json_decref(j);
    }
}

void dispatch(worker *w, http_io *io)
{
    ctx c;
    uint64_t t0 = met_now_us();
    worker_ctx(w, &c);
    dispatch_request_id(&c, io);
    err_t e = dispatch_run(&c, io);
    if (!e) e = dispatch_success(&c);
    if (e) dispatch_error(&c, e);
    resp_header(&w->rs, "X-Request-Id", c.request_id);
    int head = c.rq.method && !strcmp(c.rq.method, "HEAD");
    resp_serialize(&w->rs, head, &w->out);
    int gone = io_write(io, w->out.data, w->out.len);
    if (!gone && w->rs.file_path && !w->rs.file_by_server && !head && w->rs.status / 100 == 2 &&
        resp_send_file(&w->rs, dispatch_write, io))
        log_info("download: %s: the client went away or the file could not be read", c.rq.path ? c.rq.path : "?");
    uint64_t us = met_now_us() - t0;
    size_t nroutes;
    const route *base = modules_routes(&nroutes);
    met_request(c.rt ? (long)(c.rt - base) : -1, w->rs.status, us);
    dispatch_access_log(&c, (double)us / 1000.0);
    json_decref(c.in);
    json_decref(c.q);
    json_decref(c.out);
}
