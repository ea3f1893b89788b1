/* outbound_http.c — see outbound_http.h. Who owns what: the curl handle and header lists
 * are made and freed here, per request. */
#include "outbound_http.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "../core/outbound.h"

static size_t oh_discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p; (void)ud;
    return size * n;                   /* the answer's body is not needed */
}

/* Where a reply's body goes (outbound_post_reply); NULL buf: discarded. */
typedef struct oh_sink { char *buf; size_t max, len; } oh_sink;

static size_t oh_keep(char *p, size_t size, size_t n, void *ud)
{
    oh_sink *k = ud;
    size_t len = size * n;
    if (k && k->buf && k->len + 1 < k->max) {
        size_t take = len < k->max - 1 - k->len ? len : k->max - 1 - k->len;
        memcpy(k->buf + k->len, p, take);
        k->buf[k->len + take] = '\0';
    }
    if (k) k->len += len;
    return len;
}

static size_t oh_header(char *p, size_t size, size_t n, void *ud)
{
    outbound_result *res = ud;
    size_t len = size * n;
    if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
        long v = strtol(p + 12, NULL, 10);
        if (v > 0 && v < 86400) res->retry_after = v;
    }
    return len;
}

void outbound_done(void **handle)
{
    if (*handle) curl_easy_cleanup(*handle);
    *handle = NULL;
}

int outbound_post(const config *cfg, const char *url, const char *const *headers, const void *body, size_t n,
                  long timeout_s, outbound_result *res, char *why, size_t whylen, void **handle)
{
    return outbound_post_reply(cfg, url, headers, body, n, timeout_s, res, why, whylen, handle, NULL, 0, NULL);
}

int outbound_post_reply(const config *cfg, const char *url, const char *const *headers, const void *body, size_t n,
                        long timeout_s, outbound_result *res, char *why, size_t whylen, void **handle,
                        char *reply, size_t reply_max, size_t *reply_len)
{
    memset(res, 0, sizeof *res);
    oh_sink sink = {reply, reply_max, 0};
    if (reply && reply_max) reply[0] = '\0';
    if (reply_len) *reply_len = 0;
    outbound_url u;
    const char *bad;
    char ip[OUTBOUND_IP_MAX];
    if (outbound_parse(url, &u, &bad)) { snprintf(why, whylen, "refused: %s", bad); res->refused = 1; return -1; }
    if (outbound_check(cfg->outbound_allow, &u, ip, why, whylen)) { res->refused = 1; return -1; }
    /* Pin: curl connects to the address just checked, whatever DNS says by then. */
    char pin[OUTBOUND_HOST_MAX + OUTBOUND_IP_MAX + 16];
    snprintf(pin, sizeof pin, strchr(ip, ':') ? "%s:%d:[%s]" : "%s:%d:%s", u.host, u.port, ip);
    CURL *h = *handle;
    if (h) curl_easy_reset(h);         /* its options go; its connections stay */
    else *handle = h = curl_easy_init();
    struct curl_slist *resolve = curl_slist_append(NULL, pin), *hdrs = NULL;
    int ok = h && resolve;
    for (const char *const *p = headers; ok && p && *p; p++) {
        struct curl_slist *t = curl_slist_append(hdrs, *p);
        if (!t) ok = 0;
        else hdrs = t;
    }
    if (!ok) {
        curl_slist_free_all(resolve);
        curl_slist_free_all(hdrs);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, u.https ? "https" : "http");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");               /* no proxy from the environment */
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);   /* HTTP/2 when TLS offers it */
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, reply ? oh_keep : oh_discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply ? (void *)&sink : NULL);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, oh_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, res);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_s < 10 ? timeout_s : 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
    /* The lists must outlive the transfer only: later calls set their own. */
    curl_easy_setopt(h, CURLOPT_RESOLVE, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(resolve);
    curl_slist_free_all(hdrs);
    if (reply_len) *reply_len = sink.len;
    if (rc != CURLE_OK || !res->status) {
        snprintf(why, whylen, "%s: %s", u.host, *errbuf ? errbuf : curl_easy_strerror(rc));
        res->status = 0;
        return -1;
    }
    return 0;
}
