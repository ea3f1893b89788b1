/* test_webpush.c — Web Push message encryption against RFC 8291's worked example (section 5
 * and appendix A), byte for byte; the browser's side opening it; a fresh key pair and salt
 * each message; and what a wrong key or a changed byte does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/core/webpush.h"

/* The example's values, base64url as the RFC prints them. */
static const char PLAIN[] = "When I grow up, I want to be a watermelon";
static const char UA_PUBLIC[] = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
static const char UA_PRIVATE[] = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
static const char AUTH[] = "BTBZMqHH6r4Tts7J_aSIgg";
static const char AS_PUBLIC[] = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
static const char AS_PRIVATE[] = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
static const char SALT[] = "DGv6ra1nlYgDCS1FRnbzlw";
static const char BODY[] = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

static size_t unb64(const char *s, unsigned char *out, size_t cap)
{
    size_t n = 0;
    assert_int_equal(sodium_base642bin(out, cap, s, strlen(s), NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    return n;
}

typedef struct keys {
    unsigned char ua_pub[65], ua_priv[32], auth[16], as_pub[65], as_priv[32], salt[16];
} keys;

static void example(keys *k)
{
    assert_int_equal(unb64(UA_PUBLIC, k->ua_pub, sizeof k->ua_pub), 65);
    assert_int_equal(unb64(UA_PRIVATE, k->ua_priv, sizeof k->ua_priv), 32);
    assert_int_equal(unb64(AUTH, k->auth, sizeof k->auth), 16);
    assert_int_equal(unb64(AS_PUBLIC, k->as_pub, sizeof k->as_pub), 65);
    assert_int_equal(unb64(AS_PRIVATE, k->as_priv, sizeof k->as_priv), 32);
    assert_int_equal(unb64(SALT, k->salt, sizeof k->salt), 16);
}

static void test_rfc8291_example(void **state)
{
    (void)state;
    keys k;
    example(&k);
    unsigned char want[256], got[256];
    size_t wn = unb64(BODY, want, sizeof want);
    long n = webpush_encrypt(k.ua_pub, k.auth, k.as_priv, k.as_pub, k.salt, (const unsigned char *)PLAIN, strlen(PLAIN),
                             got, sizeof got);
    assert_int_equal(n, (long)wn);
    assert_int_equal(n, (long)strlen(PLAIN) + WEBPUSH_OVERHEAD);
    assert_memory_equal(got, want, wn);
    /* The browser's side opens the RFC's own body. */
    unsigned char plain[256];
    long m = webpush_decrypt(k.ua_priv, k.ua_pub, k.auth, want, wn, plain, sizeof plain);
    assert_int_equal(m, (long)strlen(PLAIN));
    assert_memory_equal(plain, PLAIN, strlen(PLAIN));
}

static void test_fresh_and_refused(void **state)
{
    (void)state;
    keys k;
    example(&k);
    unsigned char a[512], b[512], plain[512];
    const char *msg = "{\"title\":\"Ana\",\"body\":\"see you at 8\"}";
    long na = webpush_encrypt_fresh(k.ua_pub, k.auth, (const unsigned char *)msg, strlen(msg), a, sizeof a);
    long nb = webpush_encrypt_fresh(k.ua_pub, k.auth, (const unsigned char *)msg, strlen(msg), b, sizeof b);
    assert_int_equal(na, (long)strlen(msg) + WEBPUSH_OVERHEAD);
    assert_int_equal(nb, na);
    assert_memory_not_equal(a, b, WEBPUSH_SALT_LEN);                         /* a new salt … */
    assert_memory_not_equal(a + 21, b + 21, WEBPUSH_KEY_LEN);                /* … and key each time */
    assert_int_equal(webpush_decrypt(k.ua_priv, k.ua_pub, k.auth, a, (size_t)na, plain, sizeof plain), (long)strlen(msg));
    assert_memory_equal(plain, msg, strlen(msg));
    /* A changed byte, another auth secret, another private key: nothing opens. */
    a[na - 1] ^= 1;
    assert_int_equal(webpush_decrypt(k.ua_priv, k.ua_pub, k.auth, a, (size_t)na, plain, sizeof plain), -1);
    a[na - 1] ^= 1;
    unsigned char auth2[16];
    memcpy(auth2, k.auth, 16);
    auth2[0] ^= 1;
    assert_int_equal(webpush_decrypt(k.ua_priv, k.ua_pub, auth2, a, (size_t)na, plain, sizeof plain), -1);
    assert_int_equal(webpush_decrypt(k.as_priv, k.as_pub, k.auth, a, (size_t)na, plain, sizeof plain), -1);
    /* Malformed: too short, a bad key, a point not on the curve, a buffer too small. */
    assert_int_equal(webpush_decrypt(k.ua_priv, k.ua_pub, k.auth, a, WEBPUSH_OVERHEAD - 1, plain, sizeof plain), -1);
    unsigned char bad[65];
    memset(bad, 0x11, sizeof bad);
    bad[0] = 4;
    assert_int_equal(webpush_encrypt_fresh(bad, k.auth, (const unsigned char *)msg, strlen(msg), b, sizeof b), -1);
    assert_int_equal(webpush_encrypt_fresh(k.ua_pub, k.auth, (const unsigned char *)msg, strlen(msg), b, 20), -1);
    static unsigned char big[WEBPUSH_RECORD_SIZE], out[WEBPUSH_RECORD_SIZE + 200];
    assert_int_equal(webpush_encrypt_fresh(k.ua_pub, k.auth, big, sizeof big, out, sizeof out), -1);   /* one record */
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8291_example),
        cmocka_unit_test(test_fresh_and_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
