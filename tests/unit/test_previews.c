/* test_previews.c — which link of a message gets the preview: the first http(s) link that is
 * a whole word, without trailing punctuation or a #fragment, and that the outbound guard's
 * parser accepts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/app/previews.h"

static char url[2100];

static const char *first(const char *body)
{
    return preview_first_link(body, strlen(body), url, sizeof url) ? url : NULL;
}

static void test_first_link(void **state)
{
    (void)state;
    assert_string_equal(first("see https://example.org/a?b=1 and http://other.example/"), "https://example.org/a?b=1");
    assert_string_equal(first("(see https://example.org/post)."), "https://example.org/post");
    assert_string_equal(first("https://example.org/x#section"), "https://example.org/x");
    assert_string_equal(first("HTTPS://Example.org/P"), "https://Example.org/P");
    assert_string_equal(first("<https://example.org/in-brackets>"), "https://example.org/in-brackets");
    assert_string_equal(first("line one\nhttp://127.0.0.1:8080/p, then"), "http://127.0.0.1:8080/p");
    /* a bad one is skipped for the next good one */
    assert_string_equal(first("https://user:pw@example.org/ https://example.org/ok"), "https://example.org/ok");
}

static void test_no_link(void **state)
{
    (void)state;
    assert_null(first(""));
    assert_null(first("no link, just http:// and www.example.org"));
    assert_null(first("xhttps://example.org/ glued to a word"));
    assert_null(first("ftp://example.org/ javascript:alert(1)"));
    assert_null(first("https:// "));
    assert_null(preview_first_link("https://example.org/", 8, url, sizeof url));      /* n is respected */
    assert_int_equal(preview_first_link("https://example.org/", 10, url, sizeof url), 1);
    assert_string_equal(url, "https://ex");
    char small[12];
    assert_int_equal(preview_first_link("https://example.org/long", 24, small, sizeof small), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_link),
        cmocka_unit_test(test_no_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
