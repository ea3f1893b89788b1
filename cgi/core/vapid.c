/* vapid.c — see vapid.h. */
#include "vapid.h"
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include "outbound.h"

static int vp_unb64(const char *s, unsigned char *out, size_t want)
{
    size_t n = 0;
    if (!s || sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        n != want)
        return -1;
    return 0;
}

/* The key pair from its scalar (and, if given, its point, which must match). Caller frees. */
static EVP_PKEY *vp_key(const unsigned char priv[32], const unsigned char *pub)
{
    EVP_PKEY *key = NULL;
    BIGNUM *d = BN_secure_new();
    BN_CTX *bn = BN_CTX_new();
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *q = g ? EC_POINT_new(g) : NULL;
    unsigned char point[65];
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    /* The public point is computed from the scalar: a configured one must equal it. */
    if (d && bn && q && bld && ctx && BN_bin2bn(priv, 32, d) && !BN_is_zero(d) &&
        BN_cmp(d, EC_GROUP_get0_order(g)) < 0 && EC_POINT_mul(g, q, d, NULL, NULL, bn) == 1 &&
        EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, point, sizeof point, bn) == 65 &&
        (!pub || !memcmp(pub, point, 65)) &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 65) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) && (params = OSSL_PARAM_BLD_to_param(bld)) &&
        EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1)
        key = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    EC_POINT_free(q);
    EC_GROUP_free(g);
    BN_CTX_free(bn);
    BN_clear_free(d);
    return key;
}

int vapid_keys_new(char pub[VAPID_PUBLIC_B64], char priv[VAPID_PRIVATE_B64])
{
    unsigned char p[65], d[32];
    size_t plen = 0;
    int rc = -1;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    BIGNUM *bn = NULL;
    if (k && EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, p, sizeof p, &plen) == 1 && plen == 65 &&
        EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1 && BN_bn2binpad(bn, d, 32) == 32) {
        sodium_bin2base64(pub, VAPID_PUBLIC_B64, p, 65, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_bin2base64(priv, VAPID_PRIVATE_B64, d, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        rc = 0;
    }
    sodium_memzero(d, sizeof d);
    BN_clear_free(bn);
    EVP_PKEY_free(k);
    return rc;
}

int vapid_config_check(const char *pub, const char *priv, const char *subject, const char **why)
{
    int has_pub = pub && *pub, has_priv = priv && *priv;
    if (!has_pub && !has_priv) return 0;
    if (!has_pub || !has_priv) {
        *why = "PARLEY_VAPID_PUBLIC and PARLEY_VAPID_PRIVATE go together: set both (from `parley push keys`) or neither";
        return -1;
    }
    unsigned char p[65], d[32];
    if (vp_unb64(pub, p, 65) || p[0] != 4) { *why = "PARLEY_VAPID_PUBLIC must be a P-256 public key in base64url, from `parley push keys`"; return -1; }
    if (vp_unb64(priv, d, 32)) { *why = "PARLEY_VAPID_PRIVATE must be a P-256 private key in base64url, from `parley push keys`"; return -1; }
    EVP_PKEY *k = vp_key(d, p);
    sodium_memzero(d, sizeof d);
    EVP_PKEY_free(k);
    if (!k) { *why = "PARLEY_VAPID_PUBLIC is not the public key of PARLEY_VAPID_PRIVATE: make both with `parley push keys`"; return -1; }
    size_t sl = subject ? strlen(subject) : 0;
    if (sl < 8 || sl > 200 || (strncmp(subject, "mailto:", 7) && strncmp(subject, "https://", 8)) ||
        strpbrk(subject, " \"\\\t\r\n")) {
        *why = "PARLEY_VAPID_SUBJECT must be a mailto: or https: address where push services can reach the administrator";
        return -1;
    }
    return 0;
}

int vapid_origin(const char *endpoint, char *out, size_t cap)
{
    outbound_url u;
    const char *why;
    if (outbound_parse(endpoint, &u, &why)) return -1;
    int dflt = u.port == (u.https ? 443 : 80);
    int n = dflt ? snprintf(out, cap, "%s://%s%s%s", u.https ? "https" : "http", u.ipv6_literal ? "[" : "", u.host,
                            u.ipv6_literal ? "]" : "")
                 : snprintf(out, cap, "%s://%s%s%s:%d", u.https ? "https" : "http", u.ipv6_literal ? "[" : "", u.host,
                            u.ipv6_literal ? "]" : "", u.port);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* base64url of in[0..n) appended at out+*len (cap bytes in all). */
static int vp_put64(char *out, size_t cap, size_t *len, const void *in, size_t n)
{
    size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (*len + need > cap) return -1;
    sodium_bin2base64(out + *len, need, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    *len += strlen(out + *len);
    return 0;
}

int vapid_jwt(const char *priv, const char *aud, long long exp, const char *subject, char *out, size_t cap)
{
    static const char header[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
    char claims[600];
    /* aud and subject are checked (an origin; mailto:/https: without quotes or backslashes). */
    if (strpbrk(aud, "\"\\") || strpbrk(subject, "\"\\")) return -1;
    int cn = snprintf(claims, sizeof claims, "{\"aud\":\"%s\",\"exp\":%lld,\"sub\":\"%s\"}", aud, exp, subject);
    if (cn < 0 || (size_t)cn >= sizeof claims) return -1;
    size_t len = 0;
    if (vp_put64(out, cap, &len, header, sizeof header - 1) || len + 1 >= cap) return -1;
    out[len++] = '.';
    if (vp_put64(out, cap, &len, claims, (size_t)cn) || len + 1 >= cap) return -1;
    size_t signed_len = len;
    out[len++] = '.';
    unsigned char d[32], der[80], rs[64];
    size_t derlen = sizeof der;
    if (vp_unb64(priv, d, 32)) return -1;
    EVP_PKEY *k = vp_key(d, NULL);
    sodium_memzero(d, sizeof d);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ECDSA_SIG *sig = NULL;
    const unsigned char *dp = der;
    int ok = k && md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
             EVP_DigestSign(md, der, &derlen, (const unsigned char *)out, signed_len) == 1 &&
             (sig = d2i_ECDSA_SIG(NULL, &dp, (long)derlen)) &&
             BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32) == 32 && BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    /* JWS wants the raw r||s (RFC 7518 section 3.4), not DER. */
    if (!ok || vp_put64(out, cap, &len, rs, sizeof rs)) return -1;
    return 0;
}

int vapid_authorization(const char *pub, const char *priv, const char *subject, const char *endpoint, long long now,
                        char *out, size_t cap)
{
    char aud[OUTBOUND_HOST_MAX + 32], jwt[VAPID_JWT_MAX];
    /* 12 hours: well inside the 24 the RFC allows, whatever the clocks' skew. */
    if (vapid_origin(endpoint, aud, sizeof aud) || vapid_jwt(priv, aud, now + 43200, subject, jwt, sizeof jwt)) return -1;
    int n = snprintf(out, cap, "vapid t=%s, k=%s", jwt, pub);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}
