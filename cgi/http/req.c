/* req.c — see req.h. */
#include "req.h"
#include "cookie.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Checks each HTTP_* variable and their sum against the caps. */
static err_t req_check_headers(char **envp)
{
    size_t total = 0;
    for (char **e = envp; e && *e; e++) {
        if (strncmp(*e, "HTTP_", 5)) continue;
        const char *eq = strchr(*e, '=');
        size_t vlen = eq ? strlen(eq + 1) : 0;
        if (vlen > REQ_MAX_HEADER) return ERR_HEADERS_TOO_LARGE;
        if (!strncmp(*e, "HTTP_COOKIE=", 12) && vlen > REQ_MAX_COOKIE) return ERR_HEADERS_TOO_LARGE;
        total += strlen(*e);
        if (total > REQ_MAX_HEADERS) return ERR_HEADERS_TOO_LARGE;
    }
    return ERR_OK;
}

/* 1 when header value v names one of the comma- or semicolon-separated tokens in words. */
static int has_token(const char *v, const char *const *words)
{
    while (v && *v) {
        v += strspn(v, " ,;\t");
        size_t n = strcspn(v, " ,;\t");
        for (const char *const *w = words; *w; w++)
            if (n == strlen(*w) && !strncasecmp(v, *w, n)) return 1;
        v += n;
    }
    return 0;
}

/* A page request that no person asked to see (so it must not count as reading): browsers
 * mark prefetches and prerenders (Sec-Purpose, Purpose, X-Moz), preview fetchers say so
 * (X-Purpose), and scripts' fetches carry a Sec-Fetch-Dest other than "document". */
static int req_passive(req_env_fn env, void *ud)
{
    static const char *const purposes[] = {"prefetch", "prerender", "preview", NULL};
    const char *dest = env(ud, "HTTP_SEC_FETCH_DEST");
    return has_token(env(ud, "HTTP_SEC_PURPOSE"), purposes) || has_token(env(ud, "HTTP_PURPOSE"), purposes) ||
           has_token(env(ud, "HTTP_X_MOZ"), purposes) || has_token(env(ud, "HTTP_X_PURPOSE"), purposes) ||
           (dest && strcmp(dest, "document"));
}

/* The client address as the trusted proxy saw it: the last X-Forwarded-For entry. */
static const char *req_client_ip(arena *a, const char *remote, const char *xff, const char *trusted)
{
    if (!remote) remote = "";
    if (!xff || !trusted || !*trusted || strcmp(remote, trusted)) return remote;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ') last++;
    size_t n = strcspn(last, " ");
    if (n == 0 || n > 45 || strspn(last, "0123456789abcdefABCDEF:.") < n) return remote;
    return arena_strndup(a, last, n);
}

err_t req_parse(req *r, arena *a, req_env_fn env, void *ud, char **envp, const char *trusted_proxy)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    r->method = env(ud, "REQUEST_METHOD");
    if (!r->method || !*r->method) r->method = "GET";
    r->path = "/";

    const char *uri = env(ud, "REQUEST_URI");
    const char *qs = env(ud, "QUERY_STRING");
    if (!uri) {                                   /* some CGI hosts: rebuild it */
        const char *sn = env(ud, "SCRIPT_NAME"), *pi = env(ud, "PATH_INFO");
        uri = arena_printf(a, "%s%s%s%s", pi ? "" : (sn ? sn : ""), pi ? pi : "",
                           qs && *qs ? "?" : "", qs && *qs ? qs : "");
        if (!uri) return ERR_INTERNAL;
    }
    r->raw_uri = uri;
    /* Decide JSON or HTML first, so that even the earliest errors answer in kind. */
    r->is_api = !strncmp(uri, "/api/v1", 7) && strchr("/?", uri[7]) != NULL;
    /* The web server's error handler (lighttpd's server.error-handler, Apache's ErrorDocument)
     * hands over a request it refused itself, with its status in REDIRECT_STATUS and the
     * original REQUEST_URI: answer that error in kind and never run the request. When the
     * server could not even read the request line, the URI is empty: answer JSON, since such
     * requests come from programs. */
    const char *redirect = env(ud, "REDIRECT_STATUS");
    if (redirect && (redirect[0] == '4' || redirect[0] == '5') &&
        strspn(redirect, "0123456789") == 3 && !redirect[3]) {
        if (!*uri) r->is_api = 1;
        return err_from_status(atoi(redirect));
    }
    if (strlen(uri) > REQ_MAX_URI) return ERR_URI_TOO_LONG;
    err_t e = req_check_headers(envp);
    if (e) return e;

    size_t plen = strcspn(uri, "?");
    const char *query = uri[plen] == '?' ? uri + plen + 1 : "";
    char *path;
    size_t dlen;
    e = url_decode(a, uri, plen, 0, &path, &dlen);
    if (e) return ERR_BAD_REQUEST;
    if (path[0] != '/') return ERR_BAD_REQUEST;
    r->is_api = 0;
    if (!strcmp(path, "/api/v1")) { r->is_api = 1; path = "/"; }
    else if (!strncmp(path, "/api/v1/", 8)) { r->is_api = 1; path += 7; }
    r->path = path;

    /* After the path so that errors know whether to answer JSON. */
    e = form_parse(a, query, strlen(query), REQ_MAX_QUERY_PARAMS, &r->query);
    if (e) return e == ERR_INVALID_UTF8 ? e : ERR_BAD_REQUEST;

    const char *cookie = env(ud, "HTTP_COOKIE");
    if (cookie) {
        if (strlen(cookie) > REQ_MAX_COOKIE) return ERR_HEADERS_TOO_LARGE;
        e = cookie_parse(a, cookie, strlen(cookie), REQ_MAX_COOKIES, &r->cookies);
        if (e) return e;
    }
    r->content_type = env(ud, "CONTENT_TYPE");
    const char *cl = env(ud, "CONTENT_LENGTH");
    if (cl && *cl) {
        /* Digits only; anything past 18 digits is surely over any body limit. */
        size_t nd = strspn(cl, "0123456789");
        if (cl[nd] || nd == 0) return ERR_BAD_REQUEST;
        r->content_length = nd > 18 ? LLONG_MAX : strtoll(cl, NULL, 10);
    }
    r->authorization = env(ud, "HTTP_AUTHORIZATION");
    r->user_agent = env(ud, "HTTP_USER_AGENT");
    r->csrf_header = env(ud, "HTTP_X_CSRF_TOKEN");
    r->origin = env(ud, "HTTP_ORIGIN");
    r->host = env(ud, "HTTP_HOST");
    r->accept = env(ud, "HTTP_ACCEPT");
    const char *https = env(ud, "HTTPS"), *remote = env(ud, "REMOTE_ADDR"), *proto = env(ud, "HTTP_X_FORWARDED_PROTO");
    r->https = https && (!strcmp(https, "on") || !strcmp(https, "1"));
    /* A TLS-terminating proxy says how the browser reached it; believed from that proxy only. */
    if (proto && remote && trusted_proxy && *trusted_proxy && !strcmp(remote, trusted_proxy) && !strcasecmp(proto, "https"))
        r->https = 1;
    r->passive = req_passive(env, ud);
    r->client_ip = req_client_ip(a, env(ud, "REMOTE_ADDR"), env(ud, "HTTP_X_FORWARDED_FOR"), trusted_proxy);
    if (!r->client_ip) return ERR_INTERNAL;
    return ERR_OK;
}

const char *req_cookie(const req *r, const char *name) { return pairs_get(&r->cookies, name); }
const char *req_query(const req *r, const char *name) { return pairs_get(&r->query, name); }
