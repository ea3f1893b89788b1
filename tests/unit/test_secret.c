/* test_secret.c — random tokens, their hashes, shape checks and constant-time comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/app/secret.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void test_new(void **state)
{
    (void)state;
    char a[SECRET_LEN + 1], b[SECRET_LEN + 1];
    secret_new(a);
    secret_new(b);
    assert_int_equal(strlen(a), 43);
    assert_int_equal(strspn(a, b64url), 43);
    assert_int_equal(strlen(b), 43);
    assert_string_not_equal(a, b);
    assert_int_equal(secret_shape_ok(a, ""), 1);
    /* 256 bits: the last character carries 4 bits, so only 16 of the 64 letters can appear */
    assert_non_null(strchr("AEIMQUYcgkosw048", a[42]));
}

static void test_hash(void **state)
{
    (void)state;
    char h[SECRET_HEX + 1], h2[SECRET_HEX + 1];
    secret_hash("abc", h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    secret_hash("", h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char tok[SECRET_LEN + 1];
    secret_new(tok);
    secret_hash(tok, h);
    secret_hash(tok, h2);
    assert_int_equal(strlen(h), 64);
    assert_int_equal(strspn(h, "0123456789abcdef"), 64);
    assert_string_equal(h, h2);
    assert_null(strstr(h, tok));
}

static void test_shape(void **state)
{
    (void)state;
    char tok[SECRET_LEN + 1], pat[SECRET_LEN + 8];
    secret_new(tok);
    snprintf(pat, sizeof pat, "pat_%s", tok);
    assert_int_equal(secret_shape_ok(tok, ""), 1);
    assert_int_equal(secret_shape_ok(pat, "pat_"), 1);
    assert_int_equal(secret_shape_ok(tok, "pat_"), 0);           /* prefix missing */
    assert_int_equal(secret_shape_ok(pat, ""), 0);               /* 47 characters, '_' allowed but too long */
    assert_int_equal(secret_shape_ok("", ""), 0);
    assert_int_equal(secret_shape_ok("pat_", "pat_"), 0);
    char bad[SECRET_LEN + 1];
    memcpy(bad, tok, sizeof bad);
    bad[10] = '+';                                               /* standard base64, not url-safe */
    assert_int_equal(secret_shape_ok(bad, ""), 0);
    bad[10] = '=';
    assert_int_equal(secret_shape_ok(bad, ""), 0);
    bad[SECRET_LEN - 1] = '\0';                                  /* one short */
    memcpy(bad, tok, SECRET_LEN - 1);
    assert_int_equal(secret_shape_ok(bad, ""), 0);
    char mixed[SECRET_LEN + 1];
    memset(mixed, 'A', SECRET_LEN);
    mixed[0] = '-'; mixed[1] = '_'; mixed[2] = 'z'; mixed[3] = '9';
    mixed[SECRET_LEN] = '\0';
    assert_int_equal(secret_shape_ok(mixed, ""), 1);
}

static void test_equal(void **state)
{
    (void)state;
    assert_int_equal(secret_equal("abc", "abc"), 1);
    assert_int_equal(secret_equal("abc", "abd"), 0);
    assert_int_equal(secret_equal("abc", "abcd"), 0);
    assert_int_equal(secret_equal("abcd", "abc"), 0);
    assert_int_equal(secret_equal("", ""), 1);
    assert_int_equal(secret_equal("", "a"), 0);
    char t[SECRET_LEN + 1], u[SECRET_LEN + 1];
    secret_new(t);
    memcpy(u, t, sizeof u);
    assert_int_equal(secret_equal(t, u), 1);
    u[SECRET_LEN - 1] ^= 1;
    assert_int_equal(secret_equal(t, u), 0);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
