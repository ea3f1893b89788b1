/* test_form.c — percent-decoding, query/form splitting and encoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/form.h"
#include "unit_fixture.h"

static err_t dec(arena *a, const char *s, int plus, char **out, size_t *len)
{
    *out = NULL;
    return url_decode(a, s, strlen(s), plus, out, len);
}

static void test_decode_ok(void **state)
{
    arena *a = *state;
    char *out;
    size_t len;
    assert_int_equal(dec(a, "a+b%20c", 1, &out, &len), ERR_OK);
    assert_string_equal(out, "a b c");
    assert_int_equal(len, 5);
    assert_int_equal(dec(a, "a+b", 0, &out, &len), ERR_OK);
    assert_string_equal(out, "a+b");
    assert_int_equal(dec(a, "%41%62c", 1, &out, &len), ERR_OK);
    assert_string_equal(out, "Abc");
    assert_int_equal(dec(a, "%c3%A9", 1, &out, &len), ERR_OK);       /* either hex case */
    assert_string_equal(out, "\xC3\xA9");
    assert_int_equal(len, 2);
    assert_int_equal(dec(a, "", 1, &out, &len), ERR_OK);
    assert_string_equal(out, "");
    assert_int_equal(len, 0);
    /* outlen may be NULL */
    assert_int_equal(url_decode(a, "x%2Fy", 5, 0, &out, NULL), ERR_OK);
    assert_string_equal(out, "x/y");
    /* only n bytes are read */
    assert_int_equal(url_decode(a, "abc%41", 3, 0, &out, &len), ERR_OK);
    assert_string_equal(out, "abc");
}

static void test_decode_bad(void **state)
{
    arena *a = *state;
    char *out;
    size_t len;
    assert_int_equal(dec(a, "%G1", 1, &out, &len), ERR_BAD_REQUEST);
    assert_int_equal(dec(a, "%1G", 1, &out, &len), ERR_BAD_REQUEST);
    assert_int_equal(dec(a, "ab%4", 1, &out, &len), ERR_BAD_REQUEST);
    assert_int_equal(dec(a, "ab%", 1, &out, &len), ERR_BAD_REQUEST);
    assert_int_equal(dec(a, "%%41", 1, &out, &len), ERR_BAD_REQUEST);
    assert_int_equal(dec(a, "a%00b", 1, &out, &len), ERR_INVALID_UTF8);
    assert_int_equal(dec(a, "%C3%28", 1, &out, &len), ERR_INVALID_UTF8);
    assert_int_equal(dec(a, "%C0%80", 1, &out, &len), ERR_INVALID_UTF8);
    assert_int_equal(dec(a, "%ED%A0%80", 1, &out, &len), ERR_INVALID_UTF8);
    assert_int_equal(dec(a, "%FF", 1, &out, &len), ERR_INVALID_UTF8);
    /* a raw invalid byte is caught too, not only an escaped one */
    assert_int_equal(dec(a, "\xC3", 1, &out, &len), ERR_INVALID_UTF8);
}

static err_t parse(arena *a, const char *s, size_t max, http_pairs *p)
{
    return form_parse(a, s, strlen(s), max, p);
}

static void test_form_parse(void **state)
{
    arena *a = *state;
    http_pairs p;
    assert_int_equal(parse(a, "", 10, &p), ERR_OK);
    assert_int_equal(p.n, 0);
    assert_null(pairs_get(&p, "a"));

    assert_int_equal(parse(a, "a=1&b=2", 10, &p), ERR_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.items[0].name, "a");
    assert_string_equal(p.items[0].value, "1");
    assert_int_equal(p.items[0].value_len, 1);
    assert_string_equal(pairs_get(&p, "b"), "2");
    assert_null(pairs_get(&p, "c"));

    assert_int_equal(parse(a, "a=&b", 10, &p), ERR_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(pairs_get(&p, "a"), "");
    assert_string_equal(pairs_get(&p, "b"), "");
    assert_int_equal(p.items[1].value_len, 0);

    assert_int_equal(parse(a, "x=1&x=2&x=3", 10, &p), ERR_OK);
    assert_int_equal(p.n, 3);
    assert_string_equal(pairs_get(&p, "x"), "1");           /* first value */
    assert_string_equal(p.items[2].value, "3");

    assert_int_equal(parse(a, "q=hello+world%21&name=J%C3%BCrgen", 10, &p), ERR_OK);
    assert_string_equal(pairs_get(&p, "q"), "hello world!");
    assert_string_equal(pairs_get(&p, "name"), "J\xC3\xBCrgen");

    assert_int_equal(parse(a, "a=b=c", 10, &p), ERR_OK);     /* the first '=' splits */
    assert_string_equal(pairs_get(&p, "a"), "b=c");

    assert_int_equal(parse(a, "&&a=1&", 10, &p), ERR_OK);    /* empty pieces skipped */
    assert_int_equal(p.n, 1);
    assert_string_equal(pairs_get(&p, "a"), "1");

    assert_int_equal(parse(a, "k%20y=v", 10, &p), ERR_OK);   /* names are decoded too */
    assert_string_equal(pairs_get(&p, "k y"), "v");
}

static void test_form_limits_and_errors(void **state)
{
    arena *a = *state;
    http_pairs p;
    assert_int_equal(parse(a, "a=1&b=2&c=3", 3, &p), ERR_OK);
    assert_int_equal(p.n, 3);
    assert_int_equal(parse(a, "a=1&b=2&c=3&d=4", 3, &p), ERR_BAD_REQUEST);
    assert_int_equal(parse(a, "a=%ZZ", 10, &p), ERR_BAD_REQUEST);
    assert_int_equal(parse(a, "a=%00", 10, &p), ERR_INVALID_UTF8);
    assert_int_equal(parse(a, "%FF=1", 10, &p), ERR_INVALID_UTF8);
}

static void test_encode(void **state)
{
    arena *a = *state;
    assert_string_equal(url_encode(a, ""), "");
    assert_string_equal(url_encode(a, "abcXYZ019-_.~/"), "abcXYZ019-_.~/");
    assert_string_equal(url_encode(a, "a b&c=d?e#f+g%"), "a%20b%26c%3Dd%3Fe%23f%2Bg%25");
    assert_string_equal(url_encode(a, "\xC3\xA9"), "%C3%A9");
    /* encoding then decoding gives the input back */
    const char *in = "/p\xC3\xA4th with spaces?&=+";
    char *out;
    size_t len;
    char *enc = url_encode(a, in);
    assert_int_equal(url_decode(a, enc, strlen(enc), 0, &out, &len), ERR_OK);
    assert_string_equal(out, in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decode_ok, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_decode_bad, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_parse, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_limits_and_errors, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_encode, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
