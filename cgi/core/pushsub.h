/* pushsub.h — a browser's PushSubscription JSON ({"endpoint","keys":{"p256dh","auth"}}) as
 * POST /api/v1/push/subscriptions receives it: decoded and checked before anything is stored.
 * Pure (no I/O, no DNS): the endpoint's address is checked again by the worker when it sends.
 * Nothing is allocated; out borrows the endpoint string from the JSON. */
#ifndef PARLEY_PUSHSUB_H
#define PARLEY_PUSHSUB_H
#include <jansson.h>
#include "webpush.h"

typedef struct pushsub {
    const char *endpoint;                         /* borrowed from the JSON */
    unsigned char p256dh[WEBPUSH_KEY_LEN];        /* an uncompressed point on P-256 */
    unsigned char auth[WEBPUSH_AUTH_LEN];
} pushsub;

/* Checks in: the endpoint an http(s) URL (outbound_parse), https unless allow names its host,
 * and not a special IP literal (loopback, private, …) unless allowed; p256dh 65 bytes on
 * the curve and auth 16 bytes, both base64url (padding tolerated). Returns 0, or -1 with
 * *field ("endpoint", "keys.p256dh", "keys.auth") and *why a sentence for a person. */
int pushsub_parse(const char *allow, json_t *in, pushsub *out, const char **field, const char **why);

#endif
