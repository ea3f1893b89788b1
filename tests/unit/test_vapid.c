/* test_vapid.c — VAPID (RFC 8292): a new key pair passes the configuration check and a wrong
 * one does not; the JWT is verified here with OpenSSL against the public key (raw r||s turned
 * back into DER), with aud = the endpoint's origin and exp at most 24 hours ahead; the
 * Authorization header has the form push services expect. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include "../../cgi/core/vapid.h"

static size_t unb64(const char *s, size_t n, unsigned char *out, size_t cap)
{
    size_t got = 0;
    assert_int_equal(sodium_base642bin(out, cap, s, n, NULL, &got, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    return got;
}

/* 1 when sig64 (raw r||s, base64url) signs msg[0..n) under the point pub64. */
static int verify(const char *pub64, const char *msg, size_t n, const char *sig64, size_t sn)
{
    unsigned char pub[65], rs[64], der[80], *dp = der;
    assert_int_equal(unb64(pub64, strlen(pub64), pub, sizeof pub), 65);
    assert_int_equal(unb64(sig64, sn, rs, sizeof rs), 64);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    assert_int_equal(ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL)), 1);
    int dl = i2d_ECDSA_SIG(sig, &dp);
    ECDSA_SIG_free(sig);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(pc), 1);
    assert_int_equal(EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
    int ok = EVP_DigestVerify(md, der, (size_t)dl, (const unsigned char *)msg, n) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return ok;
}

static json_t *part(const char *s, size_t n)
{
    unsigned char raw[600];
    size_t got = unb64(s, n, raw, sizeof raw);
    json_t *j = json_loadb((const char *)raw, got, 0, NULL);
    assert_non_null(j);
    return j;
}

static void test_keys_and_config(void **state)
{
    (void)state;
    char pub[VAPID_PUBLIC_B64], priv[VAPID_PRIVATE_B64], pub2[VAPID_PUBLIC_B64], priv2[VAPID_PRIVATE_B64];
    const char *why = NULL;
    assert_int_equal(vapid_keys_new(pub, priv), 0);
    assert_int_equal(vapid_keys_new(pub2, priv2), 0);
    assert_int_equal(strlen(pub), 87);
    assert_int_equal(strlen(priv), 43);
    assert_string_not_equal(priv, priv2);
    assert_int_equal(vapid_config_check(pub, priv, "mailto:admin@example.org", &why), 0);
    assert_int_equal(vapid_config_check(pub, priv, "https://chat.example.org/contact", &why), 0);
    assert_int_equal(vapid_config_check("", "", "", &why), 0);          /* push off */
    assert_int_equal(vapid_config_check(pub, "", "mailto:a@b.c", &why), -1);
    assert_non_null(strstr(why, "go together"));
    assert_int_equal(vapid_config_check(pub2, priv, "mailto:a@b.c", &why), -1);   /* not its pair */
    assert_non_null(strstr(why, "not the public key"));
    assert_int_equal(vapid_config_check("abc", priv, "mailto:a@b.c", &why), -1);
    assert_int_equal(vapid_config_check(pub, "abc", "mailto:a@b.c", &why), -1);
    assert_int_equal(vapid_config_check(pub, priv, "", &why), -1);
    assert_non_null(strstr(why, "PARLEY_VAPID_SUBJECT"));
    assert_int_equal(vapid_config_check(pub, priv, "http://example.org", &why), -1);
    assert_int_equal(vapid_config_check(pub, priv, "mailto:a\"@b.c", &why), -1);
}

static void test_origin(void **state)
{
    (void)state;
    char o[300];
    assert_int_equal(vapid_origin("https://fcm.googleapis.com/fcm/send/abc:def", o, sizeof o), 0);
    assert_string_equal(o, "https://fcm.googleapis.com");
    assert_int_equal(vapid_origin("https://Push.Example:8443/x?y", o, sizeof o), 0);
    assert_string_equal(o, "https://push.example:8443");
    assert_int_equal(vapid_origin("http://127.0.0.1:9000/push/1", o, sizeof o), 0);
    assert_string_equal(o, "http://127.0.0.1:9000");
    assert_int_equal(vapid_origin("https://[2001:db8::1]/p", o, sizeof o), 0);
    assert_string_equal(o, "https://[2001:db8::1]");
    assert_int_equal(vapid_origin("ftp://x/", o, sizeof o), -1);
    assert_int_equal(vapid_origin("https://a.example/", o, 8), -1);
}

static void test_jwt_verifies(void **state)
{
    (void)state;
    char pub[VAPID_PUBLIC_B64], priv[VAPID_PRIVATE_B64], other_pub[VAPID_PUBLIC_B64], other_priv[VAPID_PRIVATE_B64];
    assert_int_equal(vapid_keys_new(pub, priv), 0);
    assert_int_equal(vapid_keys_new(other_pub, other_priv), 0);
    long long now = (long long)time(NULL);
    char hdr[VAPID_HEADER_MAX];
    assert_int_equal(vapid_authorization(pub, priv, "mailto:admin@example.org",
                                         "https://updates.push.services.mozilla.com/wpush/v2/gAAAA", now, hdr, sizeof hdr), 0);
    assert_int_equal(strncmp(hdr, "vapid t=", 8), 0);
    char *k = strstr(hdr, ", k=");
    assert_non_null(k);
    assert_string_equal(k + 4, pub);
    const char *jwt = hdr + 8;
    size_t jl = (size_t)(k - jwt);
    const char *dot1 = memchr(jwt, '.', jl), *dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(jwt + jl - dot1 - 1)) : NULL;
    assert_non_null(dot2);
    json_t *h = part(jwt, (size_t)(dot1 - jwt)), *c = part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "ES256");
    assert_string_equal(json_string_value(json_object_get(h, "typ")), "JWT");
    assert_string_equal(json_string_value(json_object_get(c, "aud")), "https://updates.push.services.mozilla.com");
    assert_string_equal(json_string_value(json_object_get(c, "sub")), "mailto:admin@example.org");
    long long exp = json_integer_value(json_object_get(c, "exp"));
    assert_true(exp > now && exp <= now + VAPID_MAX_TTL);
    json_decref(h);
    json_decref(c);
    size_t sl = (size_t)(jwt + jl - dot2 - 1);
    assert_true(verify(pub, jwt, (size_t)(dot2 - jwt), dot2 + 1, sl));
    assert_false(verify(other_pub, jwt, (size_t)(dot2 - jwt), dot2 + 1, sl));      /* only our key */
    char changed[VAPID_HEADER_MAX];
    memcpy(changed, jwt, (size_t)(dot2 - jwt));
    changed[5] ^= 1;
    assert_false(verify(pub, changed, (size_t)(dot2 - jwt), dot2 + 1, sl));          /* nor a changed header */
    /* Refused: a bad key, an aud with a quote, too small a buffer. */
    char out[VAPID_JWT_MAX];
    assert_int_equal(vapid_jwt("abc", "https://a.example", now, "mailto:a@b.c", out, sizeof out), -1);
    assert_int_equal(vapid_jwt(priv, "https://a\".example", now, "mailto:a@b.c", out, sizeof out), -1);
    assert_int_equal(vapid_jwt(priv, "https://a.example", now, "mailto:a@b.c", out, 100), -1);
    assert_int_equal(vapid_authorization(pub, priv, "mailto:a@b.c", "not a url", now, hdr, sizeof hdr), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_and_config),
        cmocka_unit_test(test_origin),
        cmocka_unit_test(test_jwt_verifies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
