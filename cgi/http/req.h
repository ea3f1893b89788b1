/* req.h — one HTTP request as the CGI/FastCGI environment describes it, parsed and capped.
 * Every string lives in the request's arena. */
#ifndef PARLEY_REQ_H
#define PARLEY_REQ_H
#include <stddef.h>
#include "form.h"

enum {
    REQ_MAX_URI = 4096,          /* 414 beyond */
    REQ_MAX_HEADER = 8192,       /* one header's value; 431 beyond */
    REQ_MAX_HEADERS = 32768,     /* all headers together; 431 beyond */
    REQ_MAX_COOKIE = 4096,       /* the Cookie header; 431 beyond */
    REQ_MAX_QUERY_PARAMS = 100,
    REQ_MAX_COOKIES = 50,
};

typedef struct req {
    const char *method;
    const char *raw_uri;        /* REQUEST_URI as sent */
    const char *path;           /* decoded, without the /api/v1 prefix */
    int is_api;                 /* the path began with /api/v1 */
    http_pairs query, cookies;
    const char *content_type;
    long long content_length;   /* -1 when absent */
    const char *authorization, *user_agent, *csrf_header, *origin, *host, *accept;
    const char *client_ip;      /* REMOTE_ADDR, or X-Forwarded-For from the trusted proxy */
    int https;                  /* HTTPS, or X-Forwarded-Proto: https from the trusted proxy */
    int passive;                /* not a person opening the page: a prefetch, a prerender, a
                                   link preview or a script's fetch (Sec-Fetch-Dest not document) */
} req;

/* getenv-like lookup over the request's variables; ud is the envp array. */
typedef const char *(*req_env_fn)(void *ud, const char *name);

/* Parses the request line and headers from env. Envp (may be NULL) is walked for the
 * header caps. trusted_proxy may be "" for none. */
err_t req_parse(req *r, arena *a, req_env_fn env, void *ud, char **envp, const char *trusted_proxy);
const char *req_cookie(const req *r, const char *name);
const char *req_query(const req *r, const char *name);

#endif
