/* test_webauthn.c — the CBOR reader (RFC 8949's encoding examples, and what it must refuse),
 * authenticator data and attestation objects as WebAuthn lays them out, and ES256
 * signatures made with OpenSSL: valid, tampered, and under the wrong key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include "../../cgi/core/cbor.h"
#include "../../cgi/core/webauthn.h"

static void test_cbor_values(void **state)
{
    (void)state;
    cbor_item it;
    int64_t n;
    static const unsigned char u24[] = {0x18, 0x18}, neg[] = {0x38, 0x63}, big[] = {0x1b, 0, 0, 0, 0xe8, 0xd4, 0xa5, 0x10, 0};
    assert_int_equal(cbor_read(u24, sizeof u24, &it), 0);       /* 24 */
    assert_int_equal(cbor_int(&it, &n), 0);
    assert_int_equal(n, 24);
    assert_int_equal(cbor_read(neg, sizeof neg, &it), 0);       /* -100 */
    assert_int_equal(cbor_int(&it, &n), 0);
    assert_int_equal(n, -100);
    assert_int_equal(cbor_read(big, sizeof big, &it), 0);       /* 1000000000000 */
    assert_int_equal(cbor_int(&it, &n), 0);
    assert_true(n == 1000000000000LL);
    static const unsigned char text[] = {0x64, 'I', 'E', 'T', 'F'};
    assert_int_equal(cbor_read(text, sizeof text, &it), 0);
    assert_int_equal(it.type, CBOR_TEXT);
    assert_int_equal(it.n, 4);
    assert_memory_equal(it.p, "IETF", 4);
    /* {"a": 1, "b": [2, 3]} */
    static const unsigned char map[] = {0xa2, 0x61, 'a', 0x01, 0x61, 'b', 0x82, 0x02, 0x03};
    assert_int_equal(cbor_read(map, sizeof map, &it), 0);
    assert_ptr_equal(it.end, map + sizeof map);
    cbor_item v;
    assert_int_equal(cbor_map_get(&it, "b", 0, &v), 0);
    assert_int_equal(v.type, CBOR_ARRAY);
    assert_int_equal(v.n, 2);
    assert_int_equal(cbor_map_get(&it, "c", 0, &v), -1);
    static const unsigned char t[] = {0xf5};
    assert_int_equal(cbor_read(t, 1, &it), 0);
    assert_int_equal(it.type, CBOR_SIMPLE);
    assert_int_equal(it.n, 21);
}

static void test_cbor_refuses(void **state)
{
    (void)state;
    cbor_item it;
    static const unsigned char short_text[] = {0x64, 'I', 'E'};             /* 4 announced, 2 there */
    static const unsigned char indefinite[] = {0x5f, 0x41, 0x01, 0xff};
    static const unsigned char tag[] = {0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0};
    static const unsigned char half_float[] = {0xf9, 0x3c, 0x00};
    static const unsigned char huge_array[] = {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const unsigned char short_head[] = {0x19, 0x01};
    assert_int_equal(cbor_read(short_text, sizeof short_text, &it), -1);
    assert_int_equal(cbor_read(indefinite, sizeof indefinite, &it), -1);
    assert_int_equal(cbor_read(tag, sizeof tag, &it), -1);
    assert_int_equal(cbor_read(half_float, sizeof half_float, &it), -1);
    assert_int_equal(cbor_read(huge_array, sizeof huge_array, &it), -1);
    assert_int_equal(cbor_read(short_head, sizeof short_head, &it), -1);
    assert_int_equal(cbor_read(NULL, 0, &it), -1);
    unsigned char deep[CBOR_MAX_DEPTH + 2];
    memset(deep, 0x81, sizeof deep);                /* arrays of one array of … */
    deep[sizeof deep - 1] = 0x00;
    assert_int_equal(cbor_read(deep, sizeof deep, &it), -1);
    assert_int_equal(cbor_read(deep + 2, sizeof deep - 2, &it), 0);
}

/* A P-256 key pair from OpenSSL, and its public point. */
static EVP_PKEY *new_key(unsigned char point[WA_P256_POINT_LEN])
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    size_t n = 0;
    assert_non_null(k);
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, "encoded-pub-key", point, WA_P256_POINT_LEN, &n), 1);
    assert_int_equal(n, WA_P256_POINT_LEN);
    return k;
}

/* authenticator data for rp "example.org" with flags, count 7 and, when point, a credential. */
static size_t make_authdata(unsigned char *out, unsigned flags, const unsigned char *point)
{
    SHA256((const unsigned char *)"example.org", 11, out);
    out[32] = (unsigned char)flags;
    out[33] = 0, out[34] = 0, out[35] = 0, out[36] = 7;
    size_t n = 37;
    if (!point) return n;
    memset(out + n, 0xaa, 16);                     /* aaguid */
    n += 16;
    out[n++] = 0, out[n++] = 4;                    /* credential id: 4 bytes */
    memcpy(out + n, "\x01\x02\x03\x04", 4);
    n += 4;
    /* COSE key {1: 2, 3: -7, -1: 1, -2: x, -3: y} */
    static const unsigned char head[] = {0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20};
    memcpy(out + n, head, sizeof head);
    n += sizeof head;
    memcpy(out + n, point + 1, 32);
    n += 32;
    out[n++] = 0x22, out[n++] = 0x58, out[n++] = 0x20;
    memcpy(out + n, point + 33, 32);
    return n + 32;
}

static void test_authdata(void **state)
{
    (void)state;
    unsigned char point[WA_P256_POINT_LEN], d[256];
    EVP_PKEY *k = new_key(point);
    size_t n = make_authdata(d, WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT, point);
    wa_authdata ad;
    assert_int_equal(wa_authdata_parse(d, n, &ad), 0);
    assert_true(ad.has_credential);
    assert_int_equal(ad.sign_count, 7);
    assert_int_equal(ad.cred_id_len, 4);
    assert_memory_equal(ad.public_key, point, WA_P256_POINT_LEN);
    assert_int_equal(wa_authdata_parse(d, n - 1, &ad), -1);              /* cut short */
    unsigned char longer[257];
    memcpy(longer, d, n);
    longer[n] = 0;
    assert_int_equal(wa_authdata_parse(longer, n + 1, &ad), -1);         /* trailing bytes */
    /* The COSE key starts at 37 + 16 + 2 + 4: {1: 2, 3: -7, …}; other algorithms and key types go. */
    enum { COSE_AT = 37 + 16 + 2 + 4 };
    assert_int_equal(d[COSE_AT + 4], 0x26);
    d[COSE_AT + 4] = 0x24;                                                /* alg -5 */
    assert_int_equal(wa_authdata_parse(d, n, &ad), -1);
    d[COSE_AT + 4] = 0x26;
    d[COSE_AT + 2] = 0x01;                                                /* kty 1 (OKP) */
    assert_int_equal(wa_authdata_parse(d, n, &ad), -1);
    d[COSE_AT + 2] = 0x02;
    assert_int_equal(wa_authdata_parse(d, n, &ad), 0);
    size_t m = make_authdata(d, WA_FLAG_UP, NULL);
    assert_int_equal(wa_authdata_parse(d, m, &ad), 0);
    assert_false(ad.has_credential);
    /* The attestation object {"fmt":"none","attStmt":{},"authData":…} */
    n = make_authdata(d, WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT, point);
    unsigned char obj[400];
    size_t o = 0;
    static const unsigned char head[] = {0xa3, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e', 0x67, 'a', 't', 't', 'S', 't',
                                         'm', 't', 0xa0, 0x68, 'a', 'u', 't', 'h', 'D', 'a', 't', 'a', 0x58};
    memcpy(obj, head, sizeof head);
    o = sizeof head;
    obj[o++] = (unsigned char)n;
    memcpy(obj + o, d, n);
    o += n;
    const unsigned char *adp;
    size_t adn;
    assert_int_equal(wa_attestation_parse(obj, o, &ad, &adp, &adn), 0);
    assert_int_equal(adn, n);
    assert_int_equal(wa_attestation_parse(obj, o - 1, &ad, &adp, &adn), -1);
    EVP_PKEY_free(k);
}

/* An ES256 signature by k over authdata || SHA-256(client_data), DER, into sig. */
static size_t es256(EVP_PKEY *k, const unsigned char *ad, size_t adn, const char *cd, unsigned char *sig)
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)cd, strlen(cd), h);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t n = 128;
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestSignUpdate(md, ad, adn), 1);
    assert_int_equal(EVP_DigestSignUpdate(md, h, sizeof h), 1);
    assert_int_equal(EVP_DigestSignFinal(md, sig, &n), 1);
    EVP_MD_CTX_free(md);
    return n;
}

static void test_es256(void **state)
{
    (void)state;
    unsigned char point[WA_P256_POINT_LEN], other[WA_P256_POINT_LEN], d[64], sig[128];
    EVP_PKEY *k = new_key(point), *k2 = new_key(other);
    size_t n = make_authdata(d, WA_FLAG_UP | WA_FLAG_UV, NULL);
    const char *cd = "{\"type\":\"webauthn.get\"}";
    size_t sn = es256(k, d, n, cd, sig);
    assert_true(wa_verify_es256(point, d, n, (const unsigned char *)cd, strlen(cd), sig, sn));
    assert_false(wa_verify_es256(other, d, n, (const unsigned char *)cd, strlen(cd), sig, sn));
    assert_false(wa_verify_es256(point, d, n, (const unsigned char *)cd, strlen(cd) - 1, sig, sn));
    d[32] ^= WA_FLAG_UV;
    assert_false(wa_verify_es256(point, d, n, (const unsigned char *)cd, strlen(cd), sig, sn));
    d[32] ^= WA_FLAG_UV;
    sig[sn - 1] ^= 1;
    assert_false(wa_verify_es256(point, d, n, (const unsigned char *)cd, strlen(cd), sig, sn));
    unsigned char bad_point[WA_P256_POINT_LEN];
    memset(bad_point, 0x11, sizeof bad_point);
    bad_point[0] = 0x04;                            /* not on the curve */
    assert_false(wa_verify_es256(bad_point, d, n, (const unsigned char *)cd, strlen(cd), sig, sn));
    EVP_PKEY_free(k);
    EVP_PKEY_free(k2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cbor_values),
        cmocka_unit_test(test_cbor_refuses),
        cmocka_unit_test(test_authdata),
        cmocka_unit_test(test_es256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
