/* hook_send.h — the "hook.send" job: POSTs a new message to an outgoing webhook's URL
 * through the outbound guard (outbound_http.h), signed with
 *   X-Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256 over "<t>.<body>">
 * keyed with the webhook's secret (its "whsec_…" text as bytes); a 2xx answer whose body
 * is {"text":…} is posted back as the webhook's bot. Failures (no answer, 429, 5xx) are
 * retried with the queue's backoff; a refused address or another 4xx is recorded on the
 * webhook (last_error) and not retried. */
#ifndef PARLEY_HOOK_SEND_H
#define PARLEY_HOOK_SEND_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"

enum { HOOK_SIG_HEX = 64 };

extern const db_stmt hook_send_stmts[];

err_t hook_send_run(svc *s, json_t *payload, char *why, size_t whylen);
/* The v1 signature of body sent at unix time t, as lower-case hex. */
void hook_sign(const char *secret, long long t, const char *body, size_t n, char out[HOOK_SIG_HEX + 1]);

#endif
