/* test_totp.c — TOTP against the RFC 6238 appendix B vectors (SHA-1, the last six of the
 * eight digits), the ±1-step window, single use, and base32 (RFC 4648 section 10). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/core/totp.h"

static const unsigned char SECRET[] = "12345678901234567890";

static void test_rfc6238(void **state)
{
    (void)state;
    /* time → 8-digit code from the RFC; the six-digit code is its last six */
    static const struct { long long t; long code; } v[] = {
        {59, 287082}, {1111111109, 81804}, {1111111111, 50471}, {1234567890, 5924},
        {2000000000, 279037}, {20000000000LL, 353130},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(totp_hotp(SECRET, 20, (uint64_t)(v[i].t / TOTP_STEP)), v[i].code);
}

static void test_verify(void **state)
{
    (void)state;
    long long step = 0;
    assert_true(totp_verify(SECRET, 20, "287082", 59, 0, &step));
    assert_int_equal(step, 1);
    assert_true(totp_verify(SECRET, 20, "287 082", 59 + 30, 0, &step));    /* a step late, spaced */
    assert_false(totp_verify(SECRET, 20, "287082", 59 + 60, 0, &step));    /* two steps late */
    assert_false(totp_verify(SECRET, 20, "287082", 59, 1, &step));         /* used already */
    assert_false(totp_verify(SECRET, 20, "28708", 59, 0, &step));
    assert_false(totp_verify(SECRET, 20, "2870822", 59, 0, &step));
    assert_false(totp_verify(SECRET, 20, "28708x", 59, 0, &step));
    assert_false(totp_verify(SECRET, 20, "", 59, 0, &step));
    assert_false(totp_verify(SECRET, 20, NULL, 59, 0, &step));
    assert_true(totp_verify(SECRET, 20, "081804", 1111111109, 0, &step));   /* leading zero */
}

static void test_base32(void **state)
{
    (void)state;
    char out[64];
    totp_base32((const unsigned char *)"foobar", 6, out);
    assert_string_equal(out, "MZXW6YTBOI");
    totp_base32((const unsigned char *)"f", 1, out);
    assert_string_equal(out, "MY");
    totp_base32(SECRET, 20, out);
    assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(strlen(out) + 1, TOTP_B32_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_base32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
