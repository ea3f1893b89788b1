/* test_htmlmeta.c — what a link preview shows of a page: og: first, then twitter:, then
 * <meta name="description"> and <title>; entities decoded, white space collapsed, values
 * cut to size at a character boundary; nothing taken from comments, scripts or the body. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/core/htmlmeta.h"
#include "../../cgi/core/utf8.h"

static htmlmeta m;

static int run(const char *html)
{
    return htmlmeta_extract(html, strlen(html), &m);
}

static void test_open_graph_wins(void **state)
{
    (void)state;
    assert_int_equal(run("<!doctype html><html><head><title>Plain title</title>"
                         "<meta name=\"description\" content=\"plain description\">"
                         "<meta name=\"twitter:title\" content=\"Twitter title\">"
                         "<meta property=\"og:title\" content=\"OG title\">"
                         "<meta property='og:description' content='OG description'>"
                         "<meta name=twitter:image content=https://example.com/t.png>"
                         "<meta property=\"og:image\" content=\"https://example.com/og.png\"/>"
                         "</head><body>x</body></html>"), 3);
    assert_string_equal(m.title, "OG title");
    assert_string_equal(m.description, "OG description");
    assert_string_equal(m.image, "https://example.com/og.png");
}

static void test_fallbacks(void **state)
{
    (void)state;
    assert_int_equal(run("<HTML><HEAD><TITLE>\n  A   page\ttitle \n</TITLE>"
                         "<META NAME=\"Description\" CONTENT=\"About &amp; more &lt;b&gt; &#233;t&#xE9; &quot;q&quot;\">"
                         "</HEAD>"), 2);
    assert_string_equal(m.title, "A page title");
    assert_string_equal(m.description, "About & more <b> \xC3\xA9t\xC3\xA9 \"q\"");
    assert_string_equal(m.image, "");
    assert_int_equal(run("<meta name=\"twitter:description\" content=\"tw\"><meta name=\"description\" content=\"d\">"), 1);
    assert_string_equal(m.description, "tw");
}

static void test_ignored_places(void **state)
{
    (void)state;
    assert_int_equal(run("<head><!-- <title>in a comment</title> -->"
                         "<script>var s = '<meta property=\"og:title\" content=\"in a script\">';</script>"
                         "<style>/* <title>css</title> */</style>"
                         "<title>real</title></head>"
                         "<body><meta property=\"og:description\" content=\"in the body\"></body>"), 1);
    assert_string_equal(m.title, "real");
    assert_string_equal(m.description, "");
    /* an empty content does not count */
    assert_int_equal(run("<meta property=\"og:title\" content=\"  \"><title>t</title>"), 1);
    assert_string_equal(m.title, "t");
}

static void test_hostile(void **state)
{
    (void)state;
    /* controls, bad UTF-8 and bad entities dropped or kept as text */
    assert_int_equal(run("<title>a\x01" "b\xFF" "c&#0;d&#xD800;e&#1114112;f&bogus;g\xC3</title>"), 1);
    assert_string_equal(m.title, "abcdef&bogus;g");
    assert_int_equal(utf8_valid(m.title, strlen(m.title)), 1);
    /* unterminated everything: no crash, whatever was there */
    assert_int_equal(run("<title>open"), 1);
    assert_string_equal(m.title, "open");
    assert_int_equal(run("<!-- never closed <title>x</title>"), 0);
    assert_int_equal(run("<meta property=\"og:title\" content=\"never closed"), 1);
    assert_int_equal(run("<script><title>x</title>"), 0);
    assert_int_equal(run("<"), 0);
    assert_int_equal(run(""), 0);
    assert_int_equal(htmlmeta_extract(NULL, 0, &m), 0);
}

static void test_cut_at_a_character(void **state)
{
    (void)state;
    char html[4000];
    strcpy(html, "<title>");
    for (int i = 0; i < 400; i++) strcat(html, "\xC3\xA9");          /* 800 bytes of é */
    strcat(html, "</title>");
    assert_int_equal(run(html), 1);
    assert_true(strlen(m.title) <= HTMLMETA_TITLE_MAX);
    assert_int_equal(strlen(m.title) % 2, 0);
    assert_int_equal(utf8_valid(m.title, strlen(m.title)), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_graph_wins),
        cmocka_unit_test(test_fallbacks),
        cmocka_unit_test(test_ignored_places),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_cut_at_a_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
