/* test_pgarr.c — PostgreSQL array literals as written (pgarr.h); test_pgarr in tests/stack
 * has PostgreSQL read them back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>
#include "../../cgi/store/pgarr.h"
#include "unit_fixture.h"

static void test_ids(void **state)
{
    arena *a = *state;
    long long v[] = {1, -2, LLONG_MAX, LLONG_MIN, 0};
    assert_string_equal(pgarr_ids(a, v, 5), "{1,-2,9223372036854775807,-9223372036854775808,0}");
    assert_string_equal(pgarr_ids(a, v, 1), "{1}");
    assert_string_equal(pgarr_ids(a, NULL, 0), "{}");
}

static void test_text_is_quoted_and_escaped(void **state)
{
    arena *a = *state;
    pgarr x;
    pgarr_init(&x);
    pgarr_text(&x, "plain");
    pgarr_text(&x, "");
    pgarr_text(&x, "a,b {c} d");
    pgarr_text(&x, "say \"hi\"");
    pgarr_text(&x, "back\\slash");
    pgarr_text(&x, "NULL");
    pgarr_textn(&x, "cut here", 3);
    pgarr_textn(&x, "nul\0after", 9);
    assert_string_equal(pgarr_done(&x, a),
                        "{\"plain\",\"\",\"a,b {c} d\",\"say \\\"hi\\\"\",\"back\\\\slash\",\"NULL\",\"cut\",\"nul\"}");
    assert_null(x.b.data);                               /* done freed the buffer */
}

static void test_batches_reuse_one_buffer(void **state)
{
    (void)state;
    pgarr x = {0};                                       /* zero is empty */
    assert_string_equal(pgarr_close(&x), "{}");
    pgarr_reset(&x);
    pgarr_id(&x, 7);
    pgarr_id(&x, 8);
    assert_int_equal(x.n, 2);
    assert_string_equal(pgarr_close(&x), "{7,8}");
    pgarr_reset(&x);
    assert_int_equal(x.n, 0);
    pgarr_text(&x, "x");
    assert_string_equal(pgarr_close(&x), "{\"x\"}");
    pgarr_free(&x);
    assert_null(x.b.data);
    pgarr_free(&x);                                      /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ids, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_text_is_quoted_and_escaped, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_batches_reuse_one_buffer, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
