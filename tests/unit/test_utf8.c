/* test_utf8.c — strict UTF-8 validation, code point counting, control and invisible characters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/core/utf8.h"

#define VALID(lit) utf8_valid(lit, sizeof(lit) - 1)

static void test_valid_ascii_and_multibyte(void **state)
{
    (void)state;
    assert_int_equal(VALID(""), 1);
    assert_int_equal(VALID("hello, world"), 1);
    assert_int_equal(VALID("caf\xC3\xA9"), 1);                  /* é */
    assert_int_equal(VALID("\xE2\x82\xAC"), 1);                 /* € */
    assert_int_equal(VALID("\xF0\x9F\x98\x80"), 1);             /* 😀 */
    assert_int_equal(VALID("\xC2\x80"), 1);                     /* U+0080, smallest 2-byte */
    assert_int_equal(VALID("\xE0\xA0\x80"), 1);                 /* U+0800, smallest 3-byte */
    assert_int_equal(VALID("\xF0\x90\x80\x80"), 1);             /* U+10000, smallest 4-byte */
    assert_int_equal(VALID("\xF4\x8F\xBF\xBF"), 1);             /* U+10FFFF, the last one */
    assert_int_equal(VALID("\xED\x9F\xBF"), 1);                 /* U+D7FF, just below surrogates */
    assert_int_equal(VALID("\xEE\x80\x80"), 1);                 /* U+E000, just above */
}

static void test_invalid(void **state)
{
    (void)state;
    assert_int_equal(VALID("\xC0\x80"), 0);                     /* overlong NUL */
    assert_int_equal(VALID("\xC1\xBF"), 0);                     /* overlong '?' */
    assert_int_equal(VALID("\xE0\x80\x80"), 0);                 /* overlong 3-byte */
    assert_int_equal(VALID("\xE0\x9F\xBF"), 0);                 /* overlong U+07FF */
    assert_int_equal(VALID("\xF0\x8F\xBF\xBF"), 0);             /* overlong 4-byte */
    assert_int_equal(VALID("\xED\xA0\x80"), 0);                 /* U+D800 surrogate */
    assert_int_equal(VALID("\xED\xBF\xBF"), 0);                 /* U+DFFF surrogate */
    assert_int_equal(VALID("\xF4\x90\x80\x80"), 0);             /* U+110000 */
    assert_int_equal(VALID("\xF5\x80\x80\x80"), 0);
    assert_int_equal(VALID("\xFF"), 0);
    assert_int_equal(VALID("\x80"), 0);                         /* lone continuation */
    assert_int_equal(VALID("a\xC3"), 0);                        /* truncated 2-byte */
    assert_int_equal(VALID("\xE2\x82"), 0);                     /* truncated 3-byte */
    assert_int_equal(VALID("\xF0\x9F\x98"), 0);                 /* truncated 4-byte */
    assert_int_equal(VALID("\xC3("), 0);                        /* bad continuation */
    assert_int_equal(VALID("\xE2\x28\xA1"), 0);
    assert_int_equal(VALID("a\0b"), 0);                         /* NUL inside */
    assert_int_equal(VALID("\0"), 0);
}

static void test_length_is_respected(void **state)
{
    (void)state;
    /* Only n bytes are read: a cut through a character is invalid, before it is fine. */
    const char *s = "ab\xC3\xA9";
    assert_int_equal(utf8_valid(s, 3), 0);
    assert_int_equal(utf8_valid(s, 2), 1);
    assert_int_equal(utf8_valid(s, 4), 1);
}

static void test_count(void **state)
{
    (void)state;
    assert_int_equal(utf8_count("", 0), 0);
    assert_int_equal(utf8_count("abc", 3), 3);
    assert_int_equal(utf8_count("caf\xC3\xA9", 5), 4);
    assert_int_equal(utf8_count("\xE2\x82\xAC\xF0\x9F\x98\x80x", 8), 3);
}

#define CTRL(lit, nl) utf8_has_control(lit, sizeof(lit) - 1, nl)

static void test_has_control(void **state)
{
    (void)state;
    assert_int_equal(CTRL("plain text \xC3\xA9", 0), 0);
    assert_int_equal(CTRL("", 0), 0);
    assert_int_equal(CTRL("a\x01" "b", 0), 1);
    assert_int_equal(CTRL("\x1B[31m", 0), 1);                   /* ESC */
    assert_int_equal(CTRL("a\x7F", 0), 1);                      /* DEL */
    assert_int_equal(CTRL("a\x7F", 1), 1);                      /* DEL even when newlines are fine */
    assert_int_equal(CTRL("\xC2\x80", 0), 1);                   /* U+0080 */
    assert_int_equal(CTRL("x\xC2\x9F", 0), 1);                  /* U+009F */
    assert_int_equal(CTRL("\xC2\x85", 1), 1);                   /* NEL is C1, not a newline */
    assert_int_equal(CTRL("\xC2\xA0", 0), 0);                   /* U+00A0 no-break space */
    assert_int_equal(CTRL("\xC2\xBF", 0), 0);
    assert_int_equal(CTRL("line\nline", 0), 1);
    assert_int_equal(CTRL("line\nline", 1), 0);
    assert_int_equal(CTRL("a\r\n\tb", 1), 0);
    assert_int_equal(CTRL("a\tb", 0), 1);
    assert_int_equal(CTRL("a\x0B" "b", 1), 1);                  /* vertical tab is not a newline */
}

#define INVIS(lit) utf8_has_invisible(lit, sizeof(lit) - 1)

static void test_has_invisible_refused(void **state)
{
    (void)state;
    assert_int_equal(INVIS(""), 0);
    assert_int_equal(INVIS("Zo\xC3\xA9 \xF0\x9F\x98\x80"), 0);           /* Zoé 😀 */
    assert_int_equal(INVIS("\xD9\x85\xD8\xB1\xDB\x8C\xD9\x85"), 0);       /* مریم, plain RTL */
    assert_int_equal(INVIS("Admin\xE2\x80\xAEgnp.exe"), 0x202E);         /* RLO */
    assert_int_equal(INVIS("\xE2\x80\xAA" "a"), 0x202A);                  /* LRE, first */
    assert_int_equal(INVIS("a\xE2\x80\xAC"), 0x202C);                     /* PDF, last */
    assert_int_equal(INVIS("a\xE2\x81\xA6" "b"), 0x2066);                 /* LRI */
    assert_int_equal(INVIS("a\xE2\x81\xA9" "b"), 0x2069);                 /* PDI */
    assert_int_equal(INVIS("a\xE2\x80\x8B" "b"), 0x200B);                 /* zero-width space */
    assert_int_equal(INVIS("a\xE2\x80\x8E" "b"), 0x200E);                 /* LRM */
    assert_int_equal(INVIS("\xD9\x85\xE2\x80\x8F\xD9\x85"), 0x200F);      /* RLM, even in RTL */
    assert_int_equal(INVIS("a\xE2\x80\xA8" "b"), 0x2028);                 /* line separator */
    assert_int_equal(INVIS("a\xE2\x80\xA9" "b"), 0x2029);                 /* paragraph separator */
    assert_int_equal(INVIS("a\xE2\x81\xA0" "b"), 0x2060);                 /* word joiner */
    assert_int_equal(INVIS("a\xE2\x81\xA4" "b"), 0x2064);                 /* invisible plus */
    assert_int_equal(INVIS("\xEF\xBB\xBF" "abc"), 0xFEFF);                /* BOM */
    assert_int_equal(INVIS("\xD9\x85\xD8\x9C\xD9\x85"), 0x061C);         /* ARABIC LETTER MARK */
    assert_int_equal(INVIS("ad\xC2\xADmin"), 0x00AD);                     /* soft hyphen */
    assert_int_equal(INVIS("\xE3\x85\xA4"), 0x3164);                      /* Hangul filler: a blank name */
    assert_int_equal(INVIS("\xEF\xBE\xA0"), 0xFFA0);                      /* halfwidth Hangul filler */
    assert_int_equal(INVIS("\xE1\x85\x9F\xE1\x85\xA0"), 0x115F);       /* Hangul choseong/jungseong fillers */
    assert_int_equal(INVIS("a\xCD\x8F" "b"), 0x034F);                     /* combining grapheme joiner */
    assert_int_equal(INVIS("a\xE1\xA0\x8E" "b"), 0x180E);                /* Mongolian vowel separator */
    assert_int_equal(INVIS("\xE2\xA0\x80"), 0x2800);                      /* braille blank */
    assert_int_equal(INVIS("\xED\x95\x9C\xEA\xB8\x80"), 0);            /* real Hangul: 한글 */
    /* neighbours of the refused set are fine */
    assert_int_equal(INVIS("\xE2\x80\xAF\xE2\x81\xA5\xE2\x80\x8A"), 0);   /* U+202F, U+2065, U+200A */
    assert_int_equal(INVIS("\xE2\x81\xAA\xEF\xBB\xBE"), 0);               /* U+206A, U+FEFE */
}

static void test_has_invisible_joiners(void **state)
{
    (void)state;
    /* ZWJ inside emoji sequences: 👨‍👩‍👧, 👁️‍🗨️ (after a variation selector), 👩🏽‍💻 */
    assert_int_equal(INVIS("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7"), 0);
    assert_int_equal(INVIS("\xF0\x9F\x91\x81\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x97\xA8\xEF\xB8\x8F"), 0);
    assert_int_equal(INVIS("\xF0\x9F\x91\xA9\xF0\x9F\x8F\xBD\xE2\x80\x8D\xF0\x9F\x92\xBB"), 0);
    /* ZWNJ inside a Persian word: می‌خواهم */
    assert_int_equal(INVIS("\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85"), 0);
    /* ZWJ in Devanagari: क्‍ष */
    assert_int_equal(INVIS("\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8D\xE0\xA4\xB7"), 0);
    /* at an end, alone, next to ASCII or next to another joiner or invisible: refused */
    assert_int_equal(INVIS("\xD9\x85\xDB\x8C\xE2\x80\x8C"), 0x200C);                 /* at the end */
    assert_int_equal(INVIS("\xE2\x80\x8C\xD9\x85\xDB\x8C"), 0x200C);                 /* at the start */
    assert_int_equal(INVIS("\xE2\x80\x8D"), 0x200D);                                 /* alone */
    assert_int_equal(INVIS("Admin\xE2\x80\x8D\xD9\x85"), 0x200D);                    /* after ASCII */
    assert_int_equal(INVIS("\xD9\x85\xE2\x80\x8C" "a"), 0x200C);                     /* before ASCII */
    assert_int_equal(INVIS("Ad\xE2\x80\x8Dmin"), 0x200D);
    assert_int_equal(INVIS("\xD9\x85\xE2\x80\x8C\xE2\x80\x8C\xD9\x85"), 0x200C);     /* two in a row */
    assert_int_equal(INVIS("\xD9\x85\xE2\x80\x8D\xE2\x80\x8C\xD9\x85"), 0x200D);
    assert_int_equal(INVIS("\xD9\x85\xE2\x80\x8D\xE2\x80\xAE\xD9\x85"), 0x200D);     /* before RLO */
    assert_int_equal(INVIS("\xD9\x85\xEF\xBB\xBF\xE2\x80\x8D\xD9\x85"), 0xFEFF);
}

static void test_has_invisible_any_bytes(void **state)
{
    (void)state;
    /* invalid or cut sequences are read byte by byte and never past n */
    assert_int_equal(INVIS("\xFF\xFE"), 0);
    assert_int_equal(INVIS("\xE2\x80"), 0);
    assert_int_equal(utf8_has_invisible("\xE2\x80\xAE", 2), 0);          /* RLO cut short */
    assert_int_equal(utf8_has_invisible("\xD9\x85\xE2\x80\x8C\xD9\x85", 5), 0x200C);
    assert_int_equal(INVIS("\xE2\x28\xE2\x80\xAE"), 0x202E);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_ascii_and_multibyte),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_length_is_respected),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_has_control),
        cmocka_unit_test(test_has_invisible_refused),
        cmocka_unit_test(test_has_invisible_joiners),
        cmocka_unit_test(test_has_invisible_any_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
