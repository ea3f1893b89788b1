/* outbound_http.h — an HTTP POST to a URL someone else chose, through the outbound guard
 * (cgi/core/outbound.h): checked, resolved once, and connected to that address only
 * (CURLOPT_RESOLVE), no redirects followed, no proxy from the environment, short timeouts.
 * For Web Push now; webhooks later. libcurl is initialised by mail_init. */
#ifndef PARLEY_OUTBOUND_HTTP_H
#define PARLEY_OUTBOUND_HTTP_H
#include <stddef.h>
#include "../core/config.h"

/* What came back. status 0: no answer (refused by the guard, or a network failure). */
typedef struct outbound_result {
    long status;
    int refused;              /* the guard refused the URL: do not retry it */
    long retry_after;         /* seconds from a Retry-After header, or 0 */
} outbound_result;

/* POSTs body[0..n) with headers (NULL-terminated "Name: value" lines) to url. Returns 0
 * when an HTTP answer came (any status), -1 when not, with why (a line for the logs).
 * *handle (NULL at first) keeps libcurl's handle, and with it open connections, from one
 * call to the next: the caller ends it with outbound_done. */
int outbound_post(const config *cfg, const char *url, const char *const *headers, const void *body, size_t n,
                  long timeout_s, outbound_result *res, char *why, size_t whylen, void **handle);
void outbound_done(void **handle);
/* The same, keeping the first reply_max - 1 bytes of the answer's body in reply (the
 * caller's buffer, NUL-terminated; *reply_len its length, more only when cut), for callers
 * that read the answer (outgoing webhooks). */
int outbound_post_reply(const config *cfg, const char *url, const char *const *headers, const void *body, size_t n,
                        long timeout_s, outbound_result *res, char *why, size_t whylen, void **handle,
                        char *reply, size_t reply_max, size_t *reply_len);

#endif
