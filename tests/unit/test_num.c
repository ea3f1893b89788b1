/* test_num.c — num_parse, the one parser of decimal ids from outside input: 1–18 digits and
 * nothing else, the length given (tokens are not NUL-terminated). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/core/num.h"

static int parse(const char *s, long long *v)
{
    return num_parse(s, strlen(s), v);
}

static void test_accepts(void **state)
{
    (void)state;
    long long v = -1;
    assert_int_equal(parse("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(parse("007", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(parse("999999999999999999", &v), 0);          /* 18 digits */
    assert_int_equal(v, 999999999999999999LL);
    assert_int_equal(num_parse("12,34", 2, &v), 0);                 /* only the given length */
    assert_int_equal(v, 12);
}

static void test_refuses(void **state)
{
    (void)state;
    const char *bad[] = {"", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x10", "12a", "1234567890123456789", "١٢"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long v = 123;
        assert_int_equal(parse(bad[i], &v), -1);
        assert_int_equal(v, 123);                                    /* untouched on failure */
    }
    long long v = 5;
    assert_int_equal(num_parse(NULL, 3, &v), -1);
    assert_int_equal(num_parse("12", 0, &v), -1);
    assert_int_equal(v, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
