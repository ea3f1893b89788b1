/* test_browser.c — the "Firefox on Linux" label shown in the session list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/app/sessions.h"
#include "unit_fixture.h"

static void test_browsers(void **state)
{
    arena *a = *state;
    assert_string_equal(sess_browser(a, "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"),
                        "Firefox on Linux");
    assert_string_equal(sess_browser(a, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                        "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
                        "Chrome on Windows");
    assert_string_equal(sess_browser(a, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
                                        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
                                        "Mobile/15E148 Safari/604.1"),
                        "Safari on iOS");
    assert_string_equal(sess_browser(a, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
                                        "(KHTML, like Gecko) Version/17.1 Safari/605.1.15"),
                        "Safari on macOS");
    assert_string_equal(sess_browser(a, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                                        "(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"),
                        "Chrome on Android");
    assert_string_equal(sess_browser(a, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                        "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"),
                        "Edge on Windows");
}

static void test_tools_and_unknown(void **state)
{
    arena *a = *state;
    assert_string_equal(sess_browser(a, "curl/8.0"), "curl");
    assert_string_equal(sess_browser(a, "Wget/1.21.3"), "Wget");
    assert_string_equal(sess_browser(a, ""), "Unknown");
    assert_string_equal(sess_browser(a, NULL), "Unknown");
    /* anything else: its first word, at most 40 bytes */
    assert_string_equal(sess_browser(a, "MyBot/2.0 (+https://example.org)"), "MyBot");
    char longua[100];
    memset(longua, 'x', sizeof longua - 1);
    longua[sizeof longua - 1] = '\0';
    assert_int_equal(strlen(sess_browser(a, longua)), 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_browsers, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_tools_and_unknown, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
