/* pushsub.c — see pushsub.h. */
#include "pushsub.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sodium.h>
#include "outbound.h"

/* base64url (or standard base64's +/ written by an old browser) of exactly want bytes. */
static int ps_unb64(const char *s, unsigned char *out, size_t want)
{
    unsigned char tmp[128];
    size_t n = 0, len = s ? strlen(s) : 0;
    if (!len || len > 120) return -1;
    int v = strpbrk(s, "+/") ? sodium_base64_VARIANT_ORIGINAL_NO_PADDING : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    const char *end = NULL;
    if (sodium_base642bin(tmp, sizeof tmp, s, len, "=", &n, &end, v) || end != s + len || n != want) return -1;
    memcpy(out, tmp, want);
    return 0;
}

/* 1 when host is an IP literal outside the public address space. */
static int ps_special_literal(const outbound_url *u)
{
    struct sockaddr_in s4 = {.sin_family = AF_INET};
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, u->host, &s4.sin_addr) == 1) return !outbound_addr_public((struct sockaddr *)&s4);
    if (inet_pton(AF_INET6, u->host, &s6.sin6_addr) == 1) return !outbound_addr_public((struct sockaddr *)&s6);
    /* Digits and dots only but not a dotted quad (2130706433, 0x7f.1): the resolver would
     * read them as an address; no push service is named so. */
    return strspn(u->host, "0123456789.x") == strlen(u->host);
}

int pushsub_parse(const char *allow, json_t *in, pushsub *out, const char **field, const char **why)
{
    memset(out, 0, sizeof *out);
    json_t *keys = json_object_get(in, "keys");
    const char *endpoint = json_string_value(json_object_get(in, "endpoint"));
    outbound_url u;
    *field = "endpoint";
    if (!endpoint) { *why = "Send the browser's push subscription: endpoint, and keys.p256dh and keys.auth."; return -1; }
    if (outbound_parse(endpoint, &u, why)) return -1;
    int allowed = outbound_allowed(allow, u.host, u.port);
    if (!u.https && !allowed) { *why = "The endpoint must be an https:// address."; return -1; }
    if (!allowed && ps_special_literal(&u)) {
        *why = "The endpoint is a loopback, private, link-local or otherwise special address: no push service is there.";
        return -1;
    }
    out->endpoint = endpoint;
    *field = "keys.p256dh";
    if (ps_unb64(json_string_value(json_object_get(keys, "p256dh")), out->p256dh, WEBPUSH_KEY_LEN) ||
        !webpush_key_valid(out->p256dh)) {
        *why = "keys.p256dh must be the subscription's public key: an uncompressed P-256 point (65 bytes) in base64url.";
        return -1;
    }
    *field = "keys.auth";
    if (ps_unb64(json_string_value(json_object_get(keys, "auth")), out->auth, WEBPUSH_AUTH_LEN)) {
        *why = "keys.auth must be the subscription's 16-byte secret in base64url.";
        return -1;
    }
    *field = NULL;
    return 0;
}
