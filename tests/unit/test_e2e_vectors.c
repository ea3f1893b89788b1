/* test_e2e_vectors.c — the primitives of cgi/e2e/ (prim.h) against Project Wycheproof's
 * vectors, read in place from ../shared/vectors/wycheproof/ (beside the repository; the
 * PARLEY_WYCHEPROOF environment variable names another directory). Every `valid` case must
 * pass and every `invalid` one fail; a missing file fails the test. `acceptable` cases (only
 * X25519 has them: public keys of low order or not reduced) may go either way, as Wycheproof
 * allows, but when accepted the shared secret must be the one given: libsodium refuses the
 * ones whose result is all zero (low order), which the protocols want. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/prim.h"

static json_t *load(const char *name)
{
    const char *dir = getenv("PARLEY_WYCHEPROOF");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "../shared/vectors/wycheproof", name);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j) fail_msg("cannot read the Wycheproof file %s: %s", path, err.text);
    return j;
}

/* A field's hex as bytes into a buffer the caller frees (at least 1 byte). */
static unsigned char *hex(json_t *t, const char *field, size_t *n)
{
    const char *h = json_string_value(json_object_get(t, field));
    assert_non_null(h);
    size_t len = strlen(h);
    assert_int_equal(len % 2, 0);
    unsigned char *b = malloc(len / 2 + 1);
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        b[i] = (unsigned char)v;
    }
    *n = len / 2;
    return b;
}

typedef struct tally { int valid, invalid, acceptable_yes, acceptable_no; } tally;

/* Runs every test of every group through check(), which returns 1 when the primitive agreed. */
static tally each(const char *file, int (*check)(json_t *group, json_t *t))
{
    tally c = { 0, 0, 0, 0 };
    json_t *root = load(file);
    json_t *groups = json_object_get(root, "testGroups"), *g, *t;
    size_t i, k;
    int total = 0;
    json_array_foreach(groups, i, g) {
        json_array_foreach(json_object_get(g, "tests"), k, t) {
            const char *result = json_string_value(json_object_get(t, "result"));
            int id = (int)json_integer_value(json_object_get(t, "tcId"));
            int ok = check(g, t);
            total++;
            if (strcmp(result, "valid") == 0) {
                if (!ok) fail_msg("%s tcId %d: valid case failed", file, id);
                c.valid++;
            } else if (strcmp(result, "invalid") == 0) {
                if (ok) fail_msg("%s tcId %d: invalid case accepted", file, id);
                c.invalid++;
            } else {
                if (ok) c.acceptable_yes++; else c.acceptable_no++;
            }
        }
    }
    assert_int_equal(total, (int)json_integer_value(json_object_get(root, "numberOfTests")));
    json_decref(root);
    printf("  %s: %d valid passed, %d invalid refused, acceptable %d accepted / %d refused\n", file, c.valid,
           c.invalid, c.acceptable_yes, c.acceptable_no);
    return c;
}

static int check_aead(json_t *g, json_t *t)
{
    (void)g;
    size_t kl, nl, al, ml, cl, tl;
    unsigned char *key = hex(t, "key", &kl), *iv = hex(t, "iv", &nl), *aad = hex(t, "aad", &al),
                  *msg = hex(t, "msg", &ml), *ct = hex(t, "ct", &cl), *tag = hex(t, "tag", &tl);
    unsigned char *both = malloc(cl + tl + 1), *out = malloc(cl + tl + 1);
    memcpy(both, ct, cl);
    memcpy(both + cl, tag, tl);
    long n = e2e_aead_open(key, kl, iv, nl, aad, al, both, cl + tl, out);
    int ok = n >= 0 && (size_t)n == ml && memcmp(out, msg, ml) == 0;
    /* Sealing the message must give ct || tag exactly, wherever the inputs are well formed. */
    if (ok) {
        long m = e2e_aead_seal(key, kl, iv, nl, aad, al, msg, ml, out);
        ok = m == (long)(cl + tl) && memcmp(out, both, cl + tl) == 0;
    }
    free(key); free(iv); free(aad); free(msg); free(ct); free(tag); free(both); free(out);
    return ok;
}

static int check_x25519(json_t *g, json_t *t)
{
    (void)g;
    size_t pl, sl, kl;
    unsigned char *pub = hex(t, "public", &pl), *priv = hex(t, "private", &sl), *shared = hex(t, "shared", &kl);
    unsigned char out[32];
    int rc = e2e_x25519(priv, pub, out);
    int ok = pl == 32 && sl == 32 && kl == 32 && rc == 0 && memcmp(out, shared, 32) == 0;
    /* What is refused is exactly what would give the all-zero secret (a low-order point). */
    static const unsigned char zero[32];
    if (rc != 0 && memcmp(shared, zero, 32) != 0) fail_msg("x25519: refused a point whose secret is not zero");
    free(pub); free(priv); free(shared);
    return ok;
}

static int check_ed25519(json_t *g, json_t *t)
{
    size_t ml, sl;
    json_t *key = json_object_get(g, "publicKey");
    if (!key) key = json_object_get(g, "key");
    size_t pl;
    unsigned char *pk = hex(key, "pk", &pl), *msg = hex(t, "msg", &ml), *sig = hex(t, "sig", &sl);
    int ok = pl == 32 && sl == 64 && e2e_ed25519_verify(sig, msg, ml, pk) == 0;
    free(pk); free(msg); free(sig);
    return ok;
}


static int check_hkdf_with(json_t *t, int hash)
{
    size_t il, sl, nl, ol;
    unsigned char *ikm = hex(t, "ikm", &il), *salt = hex(t, "salt", &sl), *info = hex(t, "info", &nl),
                  *okm = hex(t, "okm", &ol);
    size_t size = (size_t)json_integer_value(json_object_get(t, "size"));
    unsigned char *out = malloc(size + 1);
    int ok = e2e_hkdf(hash, salt, sl, ikm, il, info, nl, out, size) == 0 && size == ol && memcmp(out, okm, ol) == 0;
    free(ikm); free(salt); free(info); free(okm); free(out);
    return ok;
}
static int check_hkdf256(json_t *g, json_t *t) { (void)g; return check_hkdf_with(t, E2E_SHA256); }
static int check_hkdf512(json_t *g, json_t *t) { (void)g; return check_hkdf_with(t, E2E_SHA512); }

/* Tags may be truncated (tagSize bits): the first tagSize / 8 bytes of the HMAC must match. */
static int check_hmac_with(json_t *g, json_t *t, int hash)
{
    size_t kl, ml, tl;
    unsigned char *key = hex(t, "key", &kl), *msg = hex(t, "msg", &ml), *tag = hex(t, "tag", &tl);
    size_t want = (size_t)json_integer_value(json_object_get(g, "tagSize")) / 8;
    unsigned char out[64];
    int ok = e2e_hmac(hash, key, kl, msg, ml, out) == 0 && tl == want && memcmp(out, tag, tl) == 0;
    free(key); free(msg); free(tag);
    return ok;
}
static int check_hmac256(json_t *g, json_t *t) { return check_hmac_with(g, t, E2E_SHA256); }
static int check_hmac512(json_t *g, json_t *t) { return check_hmac_with(g, t, E2E_SHA512); }

static void test_x25519(void **s) { (void)s; tally c = each("x25519_test.json", check_x25519); assert_true(c.valid > 0); }
static void test_ed25519(void **s) { (void)s; tally c = each("ed25519_test.json", check_ed25519); assert_true(c.valid > 0 && c.invalid > 0); }
static void test_xchacha(void **s) { (void)s; tally c = each("xchacha20_poly1305_test.json", check_aead); assert_true(c.valid > 0 && c.invalid > 0); }
static void test_chacha(void **s) { (void)s; tally c = each("chacha20_poly1305_test.json", check_aead); assert_true(c.valid > 0 && c.invalid > 0); }
static void test_hkdf256(void **s) { (void)s; tally c = each("hkdf_sha256_test.json", check_hkdf256); assert_true(c.valid > 0 && c.invalid > 0); }
static void test_hkdf512(void **s) { (void)s; tally c = each("hkdf_sha512_test.json", check_hkdf512); assert_true(c.valid > 0 && c.invalid > 0); }
static void test_hmac256(void **s) { (void)s; tally c = each("hmac_sha256_test.json", check_hmac256); assert_true(c.valid > 0 && c.invalid > 0); }
static void test_hmac512(void **s) { (void)s; tally c = each("hmac_sha512_test.json", check_hmac512); assert_true(c.valid > 0 && c.invalid > 0); }

int main(void)
{
    if (e2e_init() != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x25519),  cmocka_unit_test(test_ed25519), cmocka_unit_test(test_xchacha),
        cmocka_unit_test(test_chacha),  cmocka_unit_test(test_hkdf256), cmocka_unit_test(test_hkdf512),
        cmocka_unit_test(test_hmac256), cmocka_unit_test(test_hmac512),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
