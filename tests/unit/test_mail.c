/* test_mail.c — e-mail addresses and the message builder: what the parser accepts, header
 * encoding (RFC 2047), CRLF line endings, MIME parts, and no header injection through a
 * display name, a subject or an address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/core/mail.h"
#include "unit_fixture.h"

static void test_addr_parse(void **state)
{
    arena *a = *state;
    const char *why;
    assert_string_equal(mail_addr_parse(a, "  Alice.B+tag@Example.ORG ", &why), "Alice.B+tag@example.org");
    assert_string_equal(mail_addr_parse(a, "o'hara@sub.example.co.uk", NULL), "o'hara@sub.example.co.uk");
    assert_string_equal(mail_addr_parse(a, "x@a-b.c9", NULL), "x@a-b.c9");
    static const char *const bad[] = {
        "", " ", "alice", "alice@", "@example.org", "a@b", "a@@b.org", "a@b@c.org", ".a@b.org", "a.@b.org",
        "a..b@c.org", "a b@c.org", "a@b..org", "a@-b.org", "a@b-.org", "a@.b.org", "a@b.org.", "\"a\"@b.org",
        "a@[127.0.0.1]", "zoë@example.org", "a@exämple.org", "a@b.org\r\nBcc: c@d.org", "a\r@b.org", "a@b.org\n",
        "<a@b.org>", "a@b.org>", "a(c)@b.org", "a@b_c.org", "a@b.org;c@d.org", "a,b@c.org",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        if (mail_addr_parse(a, bad[i], &why)) fail_msg("accepted %s", bad[i]);
        assert_non_null(why);
    }
    char local[80], long_domain[300];
    memset(local, 'x', 64);
    strcpy(local + 64, "@b.org");
    assert_non_null(mail_addr_parse(a, local, NULL));
    memset(local, 'x', 65);
    strcpy(local + 65, "@b.org");
    assert_null(mail_addr_parse(a, local, &why));
    strcpy(long_domain, "a@");
    for (int i = 0; i < 5; i++) strcat(long_domain, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");   /* 255 bytes */
    strcat(long_domain, "org");
    assert_null(mail_addr_parse(a, long_domain, &why));
    assert_string_equal(why, "An e-mail address has at most 254 characters.");
}

static void test_from_parse(void **state)
{
    arena *a = *state;
    const char *name, *addr;
    assert_int_equal(mail_from_parse(a, "Parley <chat@Example.org>", &name, &addr), 0);
    assert_string_equal(name, "Parley");
    assert_string_equal(addr, "chat@example.org");
    assert_int_equal(mail_from_parse(a, "\"Parley, the chat\" <chat@example.org>", &name, &addr), 0);
    assert_string_equal(name, "Parley, the chat");
    assert_int_equal(mail_from_parse(a, "chat@example.org", &name, &addr), 0);
    assert_string_equal(name, "");
    assert_int_equal(mail_from_parse(a, "Parley <chat@example.org", &name, &addr), -1);
    assert_int_equal(mail_from_parse(a, "Parley <chat@example.org> x", &name, &addr), -1);
    assert_int_equal(mail_from_parse(a, "Par\nley <chat@example.org>", &name, &addr), -1);
    assert_int_equal(mail_from_parse(a, "", &name, &addr), -1);
}

/* The text of header `name` in msg (up to its CRLF), or NULL. */
static const char *header(const char *msg, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    for (const char *p = msg; *p && !(p[0] == '\r' && p[1] == '\n'); p = strstr(p, "\r\n") + 2) {
        if (!strncmp(p, name, nl) && p[nl] == ':') {
            const char *e = strstr(p, "\r\n");
            while (e[2] == ' ' || e[2] == '\t') e = strstr(e + 2, "\r\n");   /* folded */
            snprintf(out, outlen, "%.*s", (int)(e - p - nl - 2), p + nl + 2);
            return out;
        }
        if (!strstr(p, "\r\n")) break;
    }
    return NULL;
}

static void assert_crlf_only(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\n') assert_true(p > s && p[-1] == '\r');
        if (*p == '\r') assert_int_equal(p[1], '\n');
    }
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++) n++;
    return n;
}

static void test_build(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    mail_msg m = {.from_name = "Parley", .from_addr = "chat@example.org", .to_name = "Alice Liddell",
                  .to_addr = "alice@example.net", .subject = "Hello there", .text = "line one\nline two\n",
                  .html = "<p>hi</p>", .id = "abcDEF123_-xyz", .date = 1796506891};
    assert_int_equal(mail_build(&m, &b), ERR_OK);
    const char *s = buf_str(&b);
    char h[512];
    assert_string_equal(header(s, "From", h, sizeof h), "Parley <chat@example.org>");
    assert_string_equal(header(s, "To", h, sizeof h), "Alice Liddell <alice@example.net>");
    assert_string_equal(header(s, "Subject", h, sizeof h), "Hello there");
    assert_string_equal(header(s, "Date", h, sizeof h), "Sat, 05 Dec 2026 21:41:31 +0000");
    assert_string_equal(header(s, "Message-ID", h, sizeof h), "<abcDEF123_-xyz@example.org>");
    assert_string_equal(header(s, "MIME-Version", h, sizeof h), "1.0");
    assert_string_equal(header(s, "Content-Type", h, sizeof h), "multipart/alternative; boundary=\"=_abcDEF123_-xyz\"");
    assert_crlf_only(s);
    assert_non_null(strstr(s, "\r\n\r\n--=_abcDEF123_-xyz\r\nContent-Type: text/plain; charset=utf-8\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n"));
    /* the text part is "line one\r\nline two\r\n" in base64 */
    unsigned char bin[64];
    size_t binlen;
    const char *t = strstr(s, "base64\r\n\r\n") + 10;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, t, strcspn(t, "\r"), NULL, &binlen, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    assert_memory_equal(bin, "line one\r\nline two\r\n", binlen);
    assert_int_equal(binlen, 20);
    assert_non_null(strstr(s, "--=_abcDEF123_-xyz\r\nContent-Type: text/html; charset=utf-8\r\n"));
    assert_non_null(strstr(s, "\r\n--=_abcDEF123_-xyz--\r\n"));
    assert_int_equal(count(s, "--=_abcDEF123_-xyz"), 3);
    buf_free(&b);
}

static void test_encoding(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    mail_put_phrase(&b, "Zoë");
    assert_string_equal(buf_str(&b), "=?UTF-8?B?Wm/Dqw==?=");
    buf_reset(&b);
    mail_put_phrase(&b, "Smith, \"Al\" \\");
    assert_string_equal(buf_str(&b), "\"Smith, \\\"Al\\\" \\\\\"");
    buf_reset(&b);
    mail_put_text(&b, "Grüße aus Köln");
    assert_string_equal(buf_str(&b), "=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=");
    buf_reset(&b);
    mail_put_text(&b, "looks =?like?= a word");           /* plain text that reads as an encoded-word */
    assert_non_null(strstr(buf_str(&b), "=?UTF-8?B?"));
    assert_null(strstr(buf_str(&b), "like"));
    /* A long non-ASCII subject: several words of at most 75 characters, folded, no UTF-8
     * sequence cut between two words. */
    buf_reset(&b);
    char subj[256] = "";
    for (int i = 0; i < 30; i++) strcat(subj, "é€x");            /* 6 bytes each */
    mail_put_text(&b, subj);
    const char *s = buf_str(&b);
    assert_true(count(s, "=?UTF-8?B?") >= 4);
    buf dec;
    buf_init(&dec);
    for (const char *w = s; (w = strstr(w, "=?UTF-8?B?")); ) {
        w += 10;
        size_t n = strstr(w, "?=") - w;
        assert_true(n + 12 <= 75);
        unsigned char bin[64];
        size_t binlen;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, w, n, NULL, &binlen, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
        assert_true((bin[0] & 0xC0) != 0x80);                    /* each word starts a character */
        buf_append(&dec, bin, binlen);
    }
    assert_string_equal(buf_str(&dec), subj);
    assert_crlf_only(s);
    buf_free(&dec);
    buf_free(&b);
}

/* A display name, subject or address with CR or LF cannot add a header. */
static void test_no_injection(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    mail_msg m = {.from_name = "Parley\r\nBcc: evil@example.com", .from_addr = "chat@example.org",
                  .to_name = "Mallory\r\nBcc: evil@example.com\r\n\r\n<script>", .to_addr = "m@example.net",
                  .subject = "Hi\nBcc: evil@example.com\rX-Evil: 1", .text = "t", .html = "h",
                  .id = "0123456789abcdef", .date = 0};
    assert_int_equal(mail_build(&m, &b), ERR_OK);
    const char *s = buf_str(&b);
    assert_null(strstr(s, "\r\nBcc:"));
    assert_null(strstr(s, "\nBcc:"));
    assert_null(strstr(s, "\r\nX-Evil"));
    assert_crlf_only(s);
    char h[512];
    assert_string_equal(header(s, "Subject", h, sizeof h), "Hi Bcc: evil@example.com X-Evil: 1");
    assert_string_equal(header(s, "To", h, sizeof h), "\"Mallory  Bcc: evil@example.com    <script>\" <m@example.net>");
    assert_string_equal(header(s, "Date", h, sizeof h), "Thu, 01 Jan 1970 00:00:00 +0000");
    /* the head ends once, after the last header */
    const char *end = strstr(s, "\r\n\r\n");
    assert_non_null(end);
    assert_true(end > strstr(s, "Content-Type: multipart"));
    buf_free(&b);
    /* addresses are never written unless they parse */
    static const char *const bad_to[] = {"m@example.net\r\nBcc: e@x.org", "m@example.net>", "<m@example.net", "m@example.net, e@x.org"};
    for (size_t i = 0; i < sizeof bad_to / sizeof bad_to[0]; i++) {
        buf_init(&b);
        m.to_addr = bad_to[i];
        assert_int_equal(mail_build(&m, &b), ERR_INVALID_FIELD);
        buf_free(&b);
    }
    m.to_addr = "m@example.net";
    buf_init(&b);
    m.id = "short";
    assert_int_equal(mail_build(&m, &b), ERR_INVALID_FIELD);
    m.id = "has space in it";
    assert_int_equal(mail_build(&m, &b), ERR_INVALID_FIELD);
    buf_free(&b);
}

/* A digest's one-click unsubscribe (RFC 8058): both headers, and no URL that could break out. */
static void test_list_unsubscribe(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    mail_msg m = {.from_addr = "chat@example.org", .to_addr = "m@example.net", .subject = "s", .text = "t",
                  .html = "h", .id = "0123456789abcdef", .date = 0,
                  .list_unsubscribe = "https://chat.example.org/unsubscribe/digests?user=7&token=ab12"};
    assert_int_equal(mail_build(&m, &b), ERR_OK);
    char h[512];
    assert_string_equal(header(buf_str(&b), "List-Unsubscribe", h, sizeof h),
                        "<https://chat.example.org/unsubscribe/digests?user=7&token=ab12>");
    assert_string_equal(header(buf_str(&b), "List-Unsubscribe-Post", h, sizeof h), "List-Unsubscribe=One-Click");
    buf_free(&b);
    static const char *const bad[] = {"mailto:x@example.org", "https://x.org/a b", "https://x.org/>\r\nBcc: e@x.org",
                                      "https://x.org/\r\nX: 1", "javascript:alert(1)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_init(&b);
        m.list_unsubscribe = bad[i];
        assert_int_equal(mail_build(&m, &b), ERR_INVALID_FIELD);
        buf_free(&b);
    }
    buf_init(&b);
    m.list_unsubscribe = NULL;                      /* other mails have neither header */
    assert_int_equal(mail_build(&m, &b), ERR_OK);
    assert_null(strstr(buf_str(&b), "List-Unsubscribe"));
    buf_free(&b);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_addr_parse, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_from_parse, arena_setup, arena_teardown),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_no_injection),
        cmocka_unit_test(test_list_unsubscribe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
