/* test_search.c — the search query parser: words, phrases, exclusions, or, every operator,
 * dates, the errors people see, and the snippet's escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/app/search.h"

static arena A;

static int reset(void **state) { (void)state; arena_reset(&A); return 0; }

static search_query parse_ok(const char *q)
{
    search_query sq;
    const char *msg = NULL;
    err_t e = search_parse(&A, q, strlen(q), &sq, &msg);
    if (e) fail_msg("\"%s\": %s", q, msg ? msg : "?");
    return sq;
}

static const char *parse_bad(const char *q)
{
    search_query sq;
    const char *msg = NULL;
    assert_int_equal(search_parse(&A, q, strlen(q), &sq, &msg), ERR_INVALID_FIELD);
    assert_non_null(msg);
    return msg;
}

static void test_words(void **state)
{
    (void)state;
    search_query q = parse_ok("  hello,  World!  ");
    assert_int_equal(q.nwords, 2);
    assert_string_equal(q.words[0], "hello");
    assert_string_equal(q.words[1], "World");
    assert_string_equal(q.text, "");
    assert_string_equal(search_words_joined(&A, &q), "hello\x1fWorld");
    q = parse_ok("é");
    assert_int_equal(q.nwords, 1);
    assert_string_equal(q.words[0], "é");
    q = parse_ok("http://example.org/x");               /* a URL is text, not an operator */
    assert_int_equal(q.nwords, 1);
    assert_string_equal(q.words[0], "http://example.org/x");
    q = parse_ok("10:30");
    assert_string_equal(q.words[0], "10:30");
}

static void test_structured(void **state)
{
    (void)state;
    search_query q = parse_ok("\"good morning\" -spam tea");
    assert_string_equal(q.text, "\"good morning\" -\"spam\"");
    assert_int_equal(q.nwords, 1);
    assert_string_equal(q.words[0], "tea");
    q = parse_ok("tea or coffee");
    assert_int_equal(q.nwords, 0);
    assert_string_equal(q.text, "\"tea\" or \"coffee\"");
    q = parse_ok("-\"not this\" that");
    assert_string_equal(q.text, "-\"not this\"");
    q = parse_ok("\"unclosed phrase");
    assert_string_equal(q.text, "\"unclosed phrase\"");
}

static void test_operators(void **state)
{
    (void)state;
    search_query q = parse_ok("from:@Alice.B in:\"Team chat\" after:2024-02-29 before:2026-01-31 on:2025-12-31 is:mention has:link x");
    assert_string_equal(q.from, "alice.b");
    assert_string_equal(q.in, "Team chat");
    assert_string_equal(q.after, "2024-02-29");
    assert_string_equal(q.before, "2026-01-31");
    assert_string_equal(q.on, "2025-12-31");
    assert_true(q.mention);
    assert_string_equal(q.has, "link");
    assert_int_equal(q.nwords, 1);
    q = parse_ok("in:42");
    assert_string_equal(q.in, "42");
    assert_int_equal(q.nwords, 0);
    q = parse_ok("FROM:bob");
    assert_string_equal(q.from, "bob");
}

static void test_errors(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_bad(""), "Say what"));
    assert_non_null(strstr(parse_bad("   "), "Say what"));
    assert_non_null(strstr(parse_bad("-only"), "not only"));
    assert_non_null(strstr(parse_bad("before:2026-13-40"), "YYYY-MM-DD"));
    assert_non_null(strstr(parse_bad("on:2025-02-29"), "YYYY-MM-DD"));
    assert_non_null(strstr(parse_bad("after:yesterday"), "YYYY-MM-DD"));
    assert_non_null(strstr(parse_bad("foo:bar"), "Unknown search operator \"foo:\""));
    assert_string_equal(parse_ok("has:image").has, "image");
    assert_string_equal(parse_ok("report has:file").has, "file");
    assert_non_null(strstr(parse_bad("has:cats"), "has:link, has:file, has:image"));
    assert_non_null(strstr(parse_bad("is:starred"), "is:mention"));
    assert_non_null(strstr(parse_bad("from:@x"), "username"));
    assert_non_null(strstr(parse_bad("from:a<b>c"), "username"));
    assert_non_null(strstr(parse_bad("a b c d e f g h i"), "at most 8"));
}

static void test_dates(void **state)
{
    (void)state;
    assert_true(search_date_ok("2000-02-29", 10));
    assert_false(search_date_ok("1900-02-29", 10));
    assert_true(search_date_ok("2026-12-31", 10));
    assert_false(search_date_ok("2026-00-10", 10));
    assert_false(search_date_ok("2026-04-31", 10));
    assert_false(search_date_ok("2026-4-1", 8));
    assert_false(search_date_ok("0999-01-01", 10));
}

/* Which title searches can start from the trigram indexes (search_convs_idx). */
static void test_has_trigram(void **state)
{
    (void)state;
    assert_true(search_has_trigram("garden"));
    assert_true(search_has_trigram("a team"));
    assert_true(search_has_trigram("x1y"));
    assert_true(search_has_trigram("\xc3\xa9t\xc3\xa9"));   /* été */
    assert_false(search_has_trigram(""));
    assert_false(search_has_trigram("qu"));
    assert_false(search_has_trigram("a b c d"));
    assert_false(search_has_trigram("ab-cd"));
    assert_false(search_has_trigram("%%%"));
}

static void test_snippet(void **state)
{
    (void)state;
    assert_string_equal(search_snippet_html(&A, "a \x01<script>\x02 & \"b\" 'c'", NULL, NULL),
                        "a <mark>&lt;script&gt;</mark> &amp; &quot;b&quot; &#39;c&#39;");
    /* what the statement sends for '<' and '&', unbalanced markers, nested markers */
    assert_string_equal(search_snippet_html(&A, "\x03img\x04x", NULL, NULL), "&lt;img&amp;x");
    assert_string_equal(search_snippet_html(&A, "\x02x\x01y", NULL, NULL), "x<mark>y</mark>");
    assert_string_equal(search_snippet_html(&A, "\x01\x01z\x02\x02", NULL, NULL), "<mark>z</mark>");
    assert_string_equal(search_snippet_html(&A, "", NULL, NULL), "");
}

/* A word found inside a word is marked where it is, ignoring case and accents; the text
 * around stays escaped. */
static void test_snippet_fragments(void **state)
{
    (void)state;
    assert_string_equal(search_snippet_html(&A, "Alpha and ALPHABET", "lph", NULL), "A<mark>lph</mark>a and A<mark>LPH</mark>ABET");
    assert_string_equal(search_snippet_html(&A, "\x01Hello\x02 <b>", "ell\x1f" "<b", NULL),
                        "<mark>Hello</mark> <mark>&lt;b</mark>&gt;");
    assert_string_equal(search_snippet_html(&A, "\x03" "b\x04", "<b\x1f" "&", NULL), "<mark>&lt;b&amp;</mark>");
    /* é folds to e, Æ to ae: a match inside a character's fold marks the whole character */
    assert_string_equal(search_snippet_html(&A, "José Æon", "se\x1f" "eo", "é\x1f" "e\x1e" "Æ\x1f" "ae"), "Jo<mark>sé</mark> <mark>Æo</mark>n");
    assert_string_equal(search_snippet_html(&A, "José", "se", NULL), "José");
    assert_string_equal(search_snippet_html(&A, "abc", "", ""), "abc");
    assert_string_equal(search_snippet_html(&A, "ab\xc3", "b", "\xc3"), "a<mark>b</mark>\xc3");
}

int main(void)
{
    arena_init(&A);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_words, reset),
        cmocka_unit_test_teardown(test_structured, reset),
        cmocka_unit_test_teardown(test_operators, reset),
        cmocka_unit_test_teardown(test_errors, reset),
        cmocka_unit_test_teardown(test_dates, reset),
        cmocka_unit_test_teardown(test_has_trigram, reset),
        cmocka_unit_test_teardown(test_snippet, reset),
        cmocka_unit_test_teardown(test_snippet_fragments, reset),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_free(&A);
    return rc;
}
