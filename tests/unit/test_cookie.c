/* test_cookie.c — the Cookie header and Set-Cookie values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/cookie.h"
#include "unit_fixture.h"

static err_t parse(arena *a, const char *s, size_t max, http_pairs *p)
{
    return cookie_parse(a, s, strlen(s), max, p);
}

static void test_parse_basic(void **state)
{
    arena *a = *state;
    http_pairs p;
    assert_int_equal(parse(a, "", 10, &p), ERR_OK);
    assert_int_equal(p.n, 0);
    assert_int_equal(parse(a, "sid=abc", 10, &p), ERR_OK);
    assert_int_equal(p.n, 1);
    assert_string_equal(pairs_get(&p, "sid"), "abc");
    assert_int_equal(p.items[0].value_len, 3);
    assert_int_equal(parse(a, "a=1; b=2;c=3", 10, &p), ERR_OK);
    assert_int_equal(p.n, 3);
    assert_string_equal(pairs_get(&p, "a"), "1");
    assert_string_equal(pairs_get(&p, "b"), "2");
    assert_string_equal(pairs_get(&p, "c"), "3");
}

static void test_parse_spaces_and_quotes(void **state)
{
    arena *a = *state;
    http_pairs p;
    assert_int_equal(parse(a, "  a = 1 ;\tb=two words ;  ", 10, &p), ERR_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.items[0].name, "a");
    assert_string_equal(p.items[0].value, "1");
    assert_string_equal(pairs_get(&p, "b"), "two words");
    assert_int_equal(parse(a, "q=\"quoted value\"; r=\"", 10, &p), ERR_OK);
    assert_string_equal(pairs_get(&p, "q"), "quoted value");
    assert_int_equal(p.items[0].value_len, strlen("quoted value"));
    assert_string_equal(pairs_get(&p, "r"), "\"");            /* a lone quote is kept */
    assert_int_equal(parse(a, "e=; f=x=y", 10, &p), ERR_OK);
    assert_string_equal(pairs_get(&p, "e"), "");
    assert_string_equal(pairs_get(&p, "f"), "x=y");
    assert_int_equal(parse(a, "v=%41", 10, &p), ERR_OK);      /* values are not decoded */
    assert_string_equal(pairs_get(&p, "v"), "%41");
}

static void test_parse_malformed_skipped(void **state)
{
    arena *a = *state;
    http_pairs p;
    assert_int_equal(parse(a, "novalue; =anon; a=1; ;; = ; b=2", 10, &p), ERR_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.items[0].name, "a");
    assert_string_equal(p.items[1].name, "b");
    assert_null(pairs_get(&p, "novalue"));
    assert_null(pairs_get(&p, ""));
    /* an embedded NUL drops that cookie only */
    const char raw[] = "a=x\0y; b=2";
    assert_int_equal(cookie_parse(a, raw, sizeof raw - 1, 10, &p), ERR_OK);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.items[0].name, "b");
}

static void test_parse_max(void **state)
{
    arena *a = *state;
    http_pairs p;
    assert_int_equal(parse(a, "a=1; b=2; c=3; d=4", 2, &p), ERR_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(pairs_get(&p, "a"), "1");
    assert_string_equal(pairs_get(&p, "b"), "2");
    assert_null(pairs_get(&p, "c"));
    assert_int_equal(parse(a, "a=1", 0, &p), ERR_OK);
    assert_int_equal(p.n, 0);
}

static void test_build(void **state)
{
    arena *a = *state;
    const char *c = cookie_build(a, "sid", "tok", -1, 0);
    assert_string_equal(c, "sid=tok; Path=/; HttpOnly; SameSite=Lax");
    assert_null(strstr(c, "Secure"));
    assert_null(strstr(c, "Max-Age"));
    c = cookie_build(a, "sid", "tok", 3600, 1);
    assert_non_null(strstr(c, "; HttpOnly"));
    assert_non_null(strstr(c, "; SameSite=Lax"));
    assert_non_null(strstr(c, "; Path=/"));
    assert_non_null(strstr(c, "; Secure"));
    assert_non_null(strstr(c, "; Max-Age=3600"));
    assert_int_equal(strncmp(c, "sid=tok;", 8), 0);
    c = cookie_build(a, "sid", "", 0, 0);                        /* deletion */
    assert_int_equal(strncmp(c, "sid=;", 5), 0);
    assert_non_null(strstr(c, "; Max-Age=0"));
    assert_null(strstr(c, "Secure"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_basic, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_parse_spaces_and_quotes, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_parse_malformed_skipped, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_parse_max, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_build, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
