/* preview_fetch.c — see preview_fetch.h. Who owns what: the curl handle and its lists are
 * made and freed here, per fetch; body is the caller's. */
#include "preview_fetch.h"
#include "../core/clock.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

/* What the write callback needs: the body so far and whether to keep it. */
typedef struct pf_sink {
    CURL *h;
    buf *body;
    size_t cap;
    const char *type_prefix;
    int checked, wrong_type, truncated;
} pf_sink;

static size_t pf_write(char *p, size_t size, size_t n, void *ud)
{
    pf_sink *s = ud;
    size_t len = size * n;
    long status = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) return len;                 /* a redirect's or an error's body: not needed */
    if (!s->checked) {
        char *type = NULL;
        curl_easy_getinfo(s->h, CURLINFO_CONTENT_TYPE, &type);
        s->checked = 1;
        if (!type || strncasecmp(type, s->type_prefix, strlen(s->type_prefix))) {
            s->wrong_type = 1;
            return 0;                              /* stops the transfer */
        }
    }
    size_t room = s->cap - s->body->len;
    if (len > room) {
        buf_append(s->body, p, room);
        s->truncated = 1;
        return 0;                                  /* enough: stops the transfer */
    }
    buf_append(s->body, p, len);
    return len;
}

int preview_fetch(const char *allow, const char *url, const char *type_prefix, size_t cap, long timeout_s,
                  buf *body, preview_fetched *got, int *refused, char *why, size_t whylen)
{
    memset(got, 0, sizeof *got);
    *refused = 0;
    buf_reset(body);
    char at[OUTBOUND_URL_MAX + 1];
    snprintf(at, sizeof at, "%s", url);
    long deadline = clock_now_ms() + timeout_s * 1000;
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    int rc = -1;
    for (int hop = 0;; hop++) {
        outbound_url u;
        const char *bad;
        char ip[OUTBOUND_IP_MAX];
        if (outbound_parse(at, &u, &bad)) {
            snprintf(why, whylen, "refused %s: %s", at, bad);
            *refused = 1;
            break;
        }
        /* http:// is fine for a preview; the addresses are checked all the same. */
        outbound_url check = u;
        check.https = 1;
        if (outbound_check(allow, &check, ip, why, whylen)) {
            *refused = 1;
            break;
        }
        long left = deadline - clock_now_ms();
        if (left <= 0) {
            snprintf(why, whylen, "%s: out of time", u.host);
            break;
        }
        char pin[OUTBOUND_HOST_MAX + OUTBOUND_IP_MAX + 16];
        snprintf(pin, sizeof pin, strchr(ip, ':') ? "%s:%d:[%s]" : "%s:%d:%s", u.host, u.port, ip);
        struct curl_slist *resolve = curl_slist_append(NULL, pin);
        if (!resolve) {
            snprintf(why, whylen, "out of memory");
            break;
        }
        pf_sink sink = {h, body, cap, type_prefix, 0, 0, 0};
        buf_reset(body);
        char errbuf[CURL_ERROR_SIZE] = "";
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, at);
        curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, u.https ? "https" : "http");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);   /* each redirect is checked here */
        curl_easy_setopt(h, CURLOPT_PROXY, "");
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(h, CURLOPT_USERAGENT, "Parley link preview");
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  /* gzip and the like, decoded by libcurl */
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, pf_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, left);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        char *next = NULL;
        if (status >= 300 && status < 400) curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next);
        char next_copy[OUTBOUND_URL_MAX + 1] = "";
        if (next) snprintf(next_copy, sizeof next_copy, "%s", next);
        char *type = NULL;
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
        if (type) snprintf(got->type, sizeof got->type, "%s", type);
        curl_easy_setopt(h, CURLOPT_RESOLVE, NULL);
        curl_slist_free_all(resolve);
        if (sink.wrong_type) {
            snprintf(why, whylen, "%s: not %s but %s", u.host, type_prefix, *got->type ? got->type : "no type");
            break;
        }
        if (cc != CURLE_OK && !sink.truncated) {
            snprintf(why, whylen, "%s: %s", u.host, *errbuf ? errbuf : curl_easy_strerror(cc));
            break;
        }
        if (status >= 300 && status < 400) {
            if (!*next_copy) {
                snprintf(why, whylen, "%s: a redirect (%ld) without a Location", u.host, status);
                break;
            }
            if (hop >= PREVIEW_REDIRECTS) {
                snprintf(why, whylen, "%s: more than %d redirects", u.host, PREVIEW_REDIRECTS);
                break;
            }
            snprintf(at, sizeof at, "%s", next_copy);
            continue;
        }
        if (status != 200) {
            snprintf(why, whylen, "%s: HTTP %ld", u.host, status);
            break;
        }
        snprintf(got->url, sizeof got->url, "%s", at);
        got->truncated = sink.truncated;
        rc = 0;
        break;
    }
    curl_easy_cleanup(h);
    if (rc) buf_reset(body);
    return rc;
}
