/* test_format.c — the message formatter: every rule on exact output, the injection suite
 * (the only raw-HTML path gets its own), mentions, excerpts and pathological inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../cgi/app/format.h"
#include "../../cgi/core/utf8.h"
#include "../support/html_check.h"

static arena A;   /* one arena for the whole run, reset after each test */

#define LINK(u) "<a href=\"" u "\" rel=\"noopener nofollow ugc\" target=\"_blank\">" u "</a>"
#define MENTION(n) "<a class=\"mention\" href=\"/users/" n "\">@" n "</a>"
#define MENTION_ME(n) "<a class=\"mention mention-me\" href=\"/users/" n "\">@" n "</a>"

static void check_as(const char *body, const char *viewer, const char *want)
{
    char *got = fmt_message(&A, body, strlen(body), viewer, NULL);
    assert_non_null(got);
    assert_string_equal(got, want);
    if (!html_ok(got)) fail_msg("not well-formed: %s", got);
}

#define EXPECT(body, want) check_as(body, NULL, want)

static int reset(void **state) { (void)state; arena_reset(&A); return 0; }

static void test_escaping(void **state)
{
    (void)state;
    EXPECT("", "");
    EXPECT("plain text", "plain text");
    EXPECT("a & b < c > d \" e ' f", "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    EXPECT("&amp; stays &lt;", "&amp;amp; stays &amp;lt;");
    EXPECT("caf\xC3\xA9 \xF0\x9F\x98\x80", "caf\xC3\xA9 \xF0\x9F\x98\x80");
    EXPECT("[x](y) # h > q ~s~ | t |", "[x](y) # h &gt; q ~s~ | t |");
}

static void test_newlines(void **state)
{
    (void)state;
    EXPECT("a\nb", "a<br>b");
    EXPECT("a\r\nb", "a<br>b");
    EXPECT("a\n\nb\n", "a<br><br>b<br>");
    EXPECT("\r", "");
    EXPECT("a\rb", "ab");
}

static void test_bold(void **state)
{
    (void)state;
    EXPECT("**hi**", "<strong>hi</strong>");
    EXPECT("a **b c** d", "a <strong>b c</strong> d");
    EXPECT("**a** and **b**", "<strong>a</strong> and <strong>b</strong>");
    EXPECT("** no **", "** no **");
    EXPECT("**no **", "**no **");
    EXPECT("** no**", "** no**");
    EXPECT("****", "****");
    EXPECT("**a\nb**", "**a<br>b**");
    EXPECT("**unclosed", "**unclosed");
    EXPECT("**a\r\nb**", "**a<br>b**");
}

static void test_italic(void **state)
{
    (void)state;
    EXPECT("*hi*", "<em>hi</em>");
    EXPECT("_hi_", "<em>hi</em>");
    EXPECT("a _b c_ d", "a <em>b c</em> d");
    EXPECT("* not italic *", "* not italic *");
    EXPECT("_ not italic _", "_ not italic _");
    EXPECT("snake_case_name", "snake_case_name");
    EXPECT("x_y_", "x_y_");
    EXPECT("_a_b", "_a_b");
    EXPECT("__init__", "__init__");
    EXPECT("*", "*");
    EXPECT("_", "_");
    EXPECT("**", "**");
    EXPECT("*a\nb*", "*a<br>b*");
    EXPECT("_a\nb_", "_a<br>b_");
    EXPECT("2*3*4", "2<em>3</em>4");                    /* '*' works inside words, '_' does not */
    EXPECT("(_a_)", "(<em>a</em>)");
    EXPECT("caf\xC3\xA9_x_", "caf\xC3\xA9_x_");         /* non-ASCII letters are word characters */
}

static void test_nesting(void **state)
{
    (void)state;
    EXPECT("**bold *it* more**", "<strong>bold <em>it</em> more</strong>");
    EXPECT("*it **b** x*", "<em>it <strong>b</strong> x</em>");
    EXPECT("_a **b** c_", "<em>a <strong>b</strong> c</em>");
    EXPECT("**a _b_ c**", "<strong>a <em>b</em> c</strong>");
    EXPECT("***x***", "***x***");                        /* runs of three stay literal */
    EXPECT("**a *b** c*", "<strong>a *b</strong> c*");  /* crossing: the inner one gives up */
    EXPECT("*a **b* c**", "<em>a **b</em> c**");
    EXPECT("**`x`**", "<strong><code>x</code></strong>");
    EXPECT("*a `b* c`", "<em>a `b</em> c`");             /* the span wins; still well-formed */
}

static void test_inline_code(void **state)
{
    (void)state;
    EXPECT("`x`", "<code>x</code>");
    EXPECT("`**no** <b> _x_`", "<code>**no** &lt;b&gt; _x_</code>");
    EXPECT("a `b` c `d`", "a <code>b</code> c <code>d</code>");
    EXPECT("`http://x.com @bob`", "<code>http://x.com @bob</code>");
    EXPECT("`unclosed", "`unclosed");
    EXPECT("``", "``");
    EXPECT("`a\nb`", "`a<br>b`");
    EXPECT("` `", "<code> </code>");
}

static void test_code_block(void **state)
{
    (void)state;
    EXPECT("```\ncode **x**\n<b> @bob\n```", "<pre><code>code **x**\n&lt;b&gt; @bob</code></pre>");
    EXPECT("```inline```", "<pre><code>inline</code></pre>");
    EXPECT("a\n```\nx\n```\nb", "a<br><pre><code>x</code></pre>b");
    EXPECT("```\r\nx\r\n```", "<pre><code>x</code></pre>");
    EXPECT("```\n\n  indented\n\n```", "<pre><code>\n  indented\n</code></pre>");
    EXPECT("```a```b```", "<pre><code>a</code></pre>b```");
    EXPECT("```a````", "<pre><code>a</code></pre>");
    EXPECT("```unclosed **b**", "```unclosed <strong>b</strong>");
    EXPECT("```", "```");
    EXPECT("``````", "``````");
    EXPECT("*a ```b``` c*", "<em>a ```b``` c</em>");     /* blocks never start inside a span */
    EXPECT("```\nhttps://x.com/\n```", "<pre><code>https://x.com/</code></pre>");
}

static void test_links(void **state)
{
    (void)state;
    EXPECT("https://example.com", LINK("https://example.com"));
    EXPECT("see https://example.com/a?b=1&c=2.",
           "see " LINK("https://example.com/a?b=1&amp;c=2") ".");
    EXPECT("http://x.com/a, http://y.org!", LINK("http://x.com/a") ", " LINK("http://y.org") "!");
    EXPECT("(http://x.com/a)", "(" LINK("http://x.com/a") ")");
    EXPECT("http://en.wikipedia.org/wiki/Foo_(bar)", LINK("http://en.wikipedia.org/wiki/Foo_(bar)"));
    EXPECT("(see http://w.org/Foo_(bar)).", "(see " LINK("http://w.org/Foo_(bar)") ").");
    EXPECT("http://x.com/a?;:!", LINK("http://x.com/a") "?;:!");
    EXPECT("'http://x.com'", "&#39;" LINK("http://x.com") "&#39;");
    EXPECT("http://x.com/~a-b_c#top", LINK("http://x.com/~a-b_c#top"));
    EXPECT("http://[::1]:8080/", LINK("http://[::1]:8080/"));
    EXPECT("**http://a.com**", "<strong>" LINK("http://a.com") "</strong>");
    EXPECT("_http://a.com_", "<em>" LINK("http://a.com") "</em>");
    EXPECT("a\nhttp://a.com\nb", "a<br>" LINK("http://a.com") "<br>b");
    EXPECT("http://", "http://");
    EXPECT("https://.", "https://.");
    EXPECT("http:// x", "http:// x");
    EXPECT("xhttp://a.com", "xhttp://a.com");
    EXPECT("ftp://a.com mailto:a@b.com", "ftp://a.com mailto:a@b.com");
    EXPECT("HTTP://A.COM", "HTTP://A.COM");            /* only the lower-case schemes */
    EXPECT("http://u@h.com/@bob", LINK("http://u@h.com/@bob"));
}

static void test_link_length(void **state)
{
    (void)state;
    char body[FMT_MAX_URL + 16], want[3 * FMT_MAX_URL];
    memcpy(body, "http://", 7);
    memset(body + 7, 'a', FMT_MAX_URL - 7);
    body[FMT_MAX_URL] = '\0';                            /* exactly the limit: linked */
    snprintf(want, sizeof want, "<a href=\"%s\" rel=\"noopener nofollow ugc\" target=\"_blank\">%s</a>", body, body);
    EXPECT(body, want);
    strcpy(body + FMT_MAX_URL, "a @bob");                /* one byte over: text, all of it */
    snprintf(want, sizeof want, "%.*s " MENTION("bob"), FMT_MAX_URL + 1, body);
    EXPECT(body, want);
}

static void test_mentions_html(void **state)
{
    (void)state;
    EXPECT("@bob", MENTION("bob"));
    EXPECT("hi @Bob.", "hi " MENTION("bob") ".");
    EXPECT("@bob... ok", MENTION("bob") "... ok");
    EXPECT("(@bob), @alice: @carol!", "(" MENTION("bob") "), " MENTION("alice") ": " MENTION("carol") "!");
    EXPECT("@bob_smith.jr-x", MENTION("bob_smith.jr-x"));
    EXPECT("@ab", "@ab");
    EXPECT("@abc", MENTION("abc"));
    EXPECT("@ab.", "@ab.");
    EXPECT("@" "abcdefghijabcdefghijabcdefghij12", MENTION("abcdefghijabcdefghijabcdefghij12"));
    EXPECT("@" "abcdefghijabcdefghijabcdefghij123", "@" "abcdefghijabcdefghijabcdefghij123");
    EXPECT("mail a@b.com or alice@example.com", "mail a@b.com or alice@example.com");
    EXPECT("x.@bob x-@bob", "x.@bob x-@bob");
    EXPECT("@", "@");
    EXPECT("@@bob", "@@bob");
    EXPECT("\xC3\xA9@bob", "\xC3\xA9@bob");
    EXPECT("**@bob**", "<strong>" MENTION("bob") "</strong>");
    EXPECT("@bob\n@bob", MENTION("bob") "<br>" MENTION("bob"));
    check_as("hi @Bob and @alice", "bob", "hi " MENTION_ME("bob") " and " MENTION("alice"));
    check_as("@bobby", "bob", MENTION("bobby"));
    check_as("`@bob`", "bob", "<code>@bob</code>");
}

static void test_injection(void **state)
{
    (void)state;
    EXPECT("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;");
    EXPECT("\"><svg onload=alert(1)>", "&quot;&gt;&lt;svg onload=alert(1)&gt;");
    EXPECT("javascript:alert(1)", "javascript:alert(1)");
    EXPECT("[x](javascript:alert(1))", "[x](javascript:alert(1))");
    EXPECT("JaVaScRiPt:alert(1) data:text/html,<script>x</script> vbscript:msgbox(1)",
           "JaVaScRiPt:alert(1) data:text/html,&lt;script&gt;x&lt;/script&gt; vbscript:msgbox(1)");
    EXPECT("http://x.com/\"onmouseover=\"alert(1)",
           LINK("http://x.com/") "&quot;onmouseover=&quot;alert(1)");
    EXPECT("http://x.com/'onclick='alert(1)", LINK("http://x.com/&#39;onclick=&#39;alert(1)"));
    EXPECT("https://a.com/<script>", LINK("https://a.com/") "&lt;script&gt;");
    EXPECT("javascript:http://x.com", "javascript:" LINK("http://x.com"));
    EXPECT("**<b>**", "<strong>&lt;b&gt;</strong>");
    EXPECT("`</code><script>`", "<code>&lt;/code&gt;&lt;script&gt;</code>");
    EXPECT("```</pre><script>```", "<pre><code>&lt;/pre&gt;&lt;script&gt;</code></pre>");
    EXPECT("<a href=\"", "&lt;a href=&quot;");
    EXPECT("@bob\"><script>", MENTION("bob") "&quot;&gt;&lt;script&gt;");
    EXPECT("&#60;script&#62;", "&amp;#60;script&amp;#62;");
    EXPECT("**x", "**x");
    EXPECT("_x", "_x");
    EXPECT("`x", "`x");
    EXPECT("```x", "```x");
    EXPECT("x**", "x**");
    EXPECT("**<i>*<u>", "**&lt;i&gt;*&lt;u&gt;");
}

/* The checker must reject what the formatter must never produce. */
static void test_checker(void **state)
{
    (void)state;
    assert_true(html_ok("a <strong>b <em>c</em></strong><br><pre><code>x\n</code></pre>"));
    assert_true(html_ok(LINK("http://a.com/?a=1&amp;b") " " MENTION_ME("bob") " &#39;&quot;"));
    assert_false(html_ok("<b>"));
    assert_false(html_ok("<strong>"));
    assert_false(html_ok("</em>"));
    assert_false(html_ok("<strong><em></strong></em>"));
    assert_false(html_ok("<code><em>x</em></code>"));
    assert_false(html_ok("<strong><pre><code>x</code></pre></strong>"));
    assert_false(html_ok("<pre>x</pre>"));
    assert_false(html_ok("<em>a<br>b</em>"));
    assert_false(html_ok("a\"b"));
    assert_false(html_ok("a'b"));
    assert_false(html_ok("a>b"));
    assert_false(html_ok("&foo;"));
    assert_false(html_ok("a & b"));
    assert_false(html_ok("<a href=\"javascript:x\" rel=\"noopener nofollow ugc\" target=\"_blank\">javascript:x</a>"));
    assert_false(html_ok("<a href=\"http://a<b\" rel=\"noopener nofollow ugc\" target=\"_blank\">http://a<b</a>"));
    assert_false(html_ok("<a href=\"http://a\" onclick=\"x\">http://a</a>"));
    assert_false(html_ok("<a href=\"http://a\" rel=\"noopener nofollow ugc\" target=\"_blank\">http://b</a>"));
    assert_false(html_ok("<a class=\"mention\" href=\"/users/Bob\">@Bob</a>"));
    assert_false(html_ok("<a class=\"mention\" href=\"/users/bob\">@bob"));
    assert_false(html_ok("<code>" MENTION("bob") "</code>"));
}

static void test_mentions_list(void **state)
{
    (void)state;
    const char *out[8];
    const char *b1 = "hi @Bob and @alice, @bob again `@carol` @dan. x@y.com\n```\n@eve\n```";
    assert_int_equal(fmt_mentions(&A, b1, strlen(b1), out, 8), 3);
    assert_string_equal(out[0], "bob");
    assert_string_equal(out[1], "alice");
    assert_string_equal(out[2], "dan");
    assert_int_equal(fmt_mentions(&A, b1, strlen(b1), out, 2), 2);
    assert_string_equal(out[0], "bob");
    assert_string_equal(out[1], "alice");
    assert_int_equal(fmt_mentions(&A, b1, strlen(b1), out, 0), 0);
    assert_int_equal(fmt_mentions(&A, "@ab @ABCD.", 10, out, 8), 1);
    assert_string_equal(out[0], "abcd");
    assert_int_equal(fmt_mentions(&A, "", 0, out, 8), 0);
    assert_int_equal(fmt_mentions(&A, "no one", 6, out, 8), 0);
    assert_int_equal(fmt_mentions(&A, "@bob", 3, out, 8), 0);   /* len is respected */
}

static void excerpt_is(const char *body, size_t max, const char *want)
{
    char *got = fmt_excerpt(&A, body, strlen(body), max);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_true(utf8_valid(got, strlen(got)) || !*got);
    assert_true(utf8_count(got, strlen(got)) <= max);
}

/* Reply quotes: formatted like a body, escaped, cut, and without links. */
static void test_quote(void **state)
{
    (void)state;
    const char *b = "**bold** _it_ `code` <b>x</b> see https://example.com/a?b=1 and @bob\nnext line";
    char *q = fmt_quote(&A, b, strlen(b), 120);
    assert_non_null(q);
    assert_null(strstr(q, "<a"));
    assert_null(strstr(q, "</a>"));
    assert_null(strstr(q, "<br"));                        /* one line */
    assert_non_null(strstr(q, "bold</strong>"));
    assert_non_null(strstr(q, "<em>it</em>"));
    assert_non_null(strstr(q, "<code>code</code>"));
    assert_non_null(strstr(q, "&lt;b&gt;x&lt;/b&gt;"));
    assert_non_null(strstr(q, "https://example.com/a?b=1"));
    assert_non_null(strstr(q, "@bob"));
    q = fmt_quote(&A, "**a very long bold text**", 25, 10);  /* cut: the marker stays text */
    assert_non_null(q);
    assert_null(strstr(q, "<strong>"));
    assert_non_null(strstr(q, "**a very"));
}

static void test_excerpt(void **state)
{
    (void)state;
    excerpt_is("hello\nworld", 40, "hello world");
    excerpt_is("**hi** <b>\r\nthere", 40, "**hi** <b> there");
    excerpt_is("abcd", 4, "abcd");
    excerpt_is("abcdef", 4, "abc\xE2\x80\xA6");
    excerpt_is("h\xC3\xA9llo w\xC3\xB6rld", 5, "h\xC3\xA9ll\xE2\x80\xA6");
    excerpt_is("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 3,
               "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xE2\x80\xA6");
    excerpt_is("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 2, "\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
    excerpt_is("hello world", 7, "hello\xE2\x80\xA6");
    excerpt_is("a\r\nb", 3, "a b");                        /* CR is not a character here */
    excerpt_is("abc", 1, "\xE2\x80\xA6");
    excerpt_is("abc", 0, "");
    excerpt_is("", 10, "");
}

/* Many openers with no closer must stay linear: each input well under a second. */
static void test_pathological(void **state)
{
    (void)state;
    static const char *const units[] = { "*", "_", "`", "**", "*a ", "_a ", "`a ", "``` ",
                                         "http://", "@", "@abc", "(", "h", "*_`", "a_", "**a *" };
    enum { N = 16 * 1024 };
    char *body = malloc(N + 1);
    assert_non_null(body);
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        size_t ul = strlen(units[u]), n = 0;
        while (n + ul <= N) { memcpy(body + n, units[u], ul); n += ul; }
        body[n] = '\0';
        clock_t t0 = clock();
        char *html = fmt_message(&A, body, n, "abc", NULL);
        const char *out[4];
        fmt_mentions(&A, body, n, out, 4);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        assert_non_null(html);
        assert_true(html_ok(html));
        if (secs > 1.0) fail_msg("unit \"%s\" took %.2f s", units[u], secs);
        arena_reset(&A);
    }
    free(body);
}

static int group_setup(void **state) { (void)state; arena_init(&A); return 0; }
static int group_teardown(void **state) { (void)state; arena_free(&A); return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_escaping, reset),
        cmocka_unit_test_teardown(test_newlines, reset),
        cmocka_unit_test_teardown(test_bold, reset),
        cmocka_unit_test_teardown(test_italic, reset),
        cmocka_unit_test_teardown(test_nesting, reset),
        cmocka_unit_test_teardown(test_inline_code, reset),
        cmocka_unit_test_teardown(test_code_block, reset),
        cmocka_unit_test_teardown(test_links, reset),
        cmocka_unit_test_teardown(test_link_length, reset),
        cmocka_unit_test_teardown(test_mentions_html, reset),
        cmocka_unit_test_teardown(test_injection, reset),
        cmocka_unit_test(test_checker),
        cmocka_unit_test_teardown(test_mentions_list, reset),
        cmocka_unit_test_teardown(test_excerpt, reset),
        cmocka_unit_test_teardown(test_quote, reset),
        cmocka_unit_test_teardown(test_pathological, reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
