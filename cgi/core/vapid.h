/* vapid.h — Voluntary Application Server Identification for Web Push (RFC 8292): the server's
 * P-256 key pair, made once (`parley push keys`) and kept in the configuration, signs a short
 * JWT (ES256) for each push service origin, so a push service can tell our pushes from
 * anyone else's and a subscription made with our public key works for nobody but us.
 * OpenSSL does P-256 and ECDSA (libsodium has neither); base64url from libsodium. Nothing is
 * allocated: the caller owns every buffer. */
#ifndef PARLEY_VAPID_H
#define PARLEY_VAPID_H
#include <stddef.h>

enum {
    VAPID_PUBLIC_B64 = 88,    /* 65-byte point in unpadded base64url (87) and a NUL */
    VAPID_PRIVATE_B64 = 44,   /* 32-byte scalar in unpadded base64url (43) and a NUL */
    VAPID_MAX_TTL = 86400,    /* RFC 8292: a JWT's exp at most 24 hours ahead */
    VAPID_JWT_MAX = 1024,
    VAPID_HEADER_MAX = VAPID_JWT_MAX + VAPID_PUBLIC_B64 + 16,
};

/* A new key pair as configuration values (base64url, no padding). 0, or -1. */
int vapid_keys_new(char pub[VAPID_PUBLIC_B64], char priv[VAPID_PRIVATE_B64]);
/* Checks the configured values: both empty (push off) or a matching P-256 key pair, and a
 * subject that is mailto: or https:. 0, or -1 with *why a sentence naming the setting. */
int vapid_config_check(const char *pub, const char *priv, const char *subject, const char **why);
/* The origin ("https://host[:port]") of a push endpoint, as the JWT's aud. 0, or -1. */
int vapid_origin(const char *endpoint, char *out, size_t cap);
/* The ES256 JWT {"aud","exp","sub"} signed with priv (base64url scalar) into out. exp is a
 * Unix time. 0, or -1. */
int vapid_jwt(const char *priv, const char *aud, long long exp, const char *subject, char *out, size_t cap);
/* The Authorization header's value: "vapid t=<jwt>, k=<pub>". 0, or -1. */
int vapid_authorization(const char *pub, const char *priv, const char *subject, const char *endpoint, long long now,
                        char *out, size_t cap);

#endif
