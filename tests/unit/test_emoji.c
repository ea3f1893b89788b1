/* test_emoji.c — a reaction is exactly one emoji of Unicode's list, in any qualification,
 * answered in its fully-qualified form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/core/emoji.h"

#define CANON(lit) emoji_canonical(lit, sizeof(lit) - 1)

static void test_single_emoji(void **state)
{
    (void)state;
    assert_string_equal(CANON("\xF0\x9F\x91\x8D"), "\xF0\x9F\x91\x8D");                    /* 👍 */
    assert_string_equal(CANON("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"); /* 👍🏽 */
    assert_string_equal(CANON("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");                    /* 😀 */
    /* family: man, woman, girl, boy (ZWJ sequence) */
    const char fam[] = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6";
    assert_string_equal(CANON(fam), fam);
    assert_string_equal(CANON("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"), "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"); /* 🇫🇷 */
    assert_string_equal(CANON("1\xEF\xB8\x8F\xE2\x83\xA3"), "1\xEF\xB8\x8F\xE2\x83\xA3");  /* 1️⃣ keycap */
    /* England: a tag sequence */
    const char eng[] = "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5\xF3\xA0\x81\xAE\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF";
    assert_string_equal(CANON(eng), eng);
    /* kiss: woman, man, light and medium-light skin tones — 35 bytes, the longest */
    const char kiss[] = "\xF0\x9F\x91\xA9\xF0\x9F\x8F\xBB\xE2\x80\x8D\xE2\x9D\xA4\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x92\x8B\xE2\x80\x8D\xF0\x9F\x91\xA8\xF0\x9F\x8F\xBC";
    assert_int_equal(sizeof(kiss) - 1, 35);
    assert_string_equal(CANON(kiss), kiss);
    assert_int_equal(emoji_table_longest, 35);
}

static void test_qualification_is_canonical(void **state)
{
    (void)state;
    assert_string_equal(CANON("\xE2\x9D\xA4"), "\xE2\x9D\xA4\xEF\xB8\x8F");               /* ❤ → ❤️ */
    assert_string_equal(CANON("\xE2\x9D\xA4\xEF\xB8\x8F"), "\xE2\x9D\xA4\xEF\xB8\x8F");   /* ❤️ */
    assert_string_equal(CANON("1\xE2\x83\xA3"), "1\xEF\xB8\x8F\xE2\x83\xA3");              /* 1⃣ → 1️⃣ */
}

static void test_refused(void **state)
{
    (void)state;
    assert_null(CANON(""));
    assert_null(emoji_canonical(NULL, 0));
    assert_null(CANON("a"));
    assert_null(CANON("1"));
    assert_null(CANON(":)"));
    assert_null(CANON("\xC3\xA9"));                                       /* é: not an emoji */
    assert_null(CANON("\xF0\x9F\x91\x8D\xF0\x9F\x91\x8D"));               /* 👍👍: two */
    assert_null(CANON("\xF0\x9F\x91\x8D "));                              /* trailing space */
    assert_null(CANON(" \xF0\x9F\x91\x8D"));
    assert_null(CANON("\xF0\x9F\x91\x8D\xE2\x80\xAE"));                   /* 👍 + RLO */
    assert_null(CANON("\xE2\x80\x8D\xF0\x9F\x91\x8D"));                   /* ZWJ first */
    assert_null(CANON("\xF0\x9F\x8F\xBB"));                               /* a skin tone alone */
    assert_null(CANON("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBB\xF0\x9F\x8F\xBB")); /* two tones */
    assert_null(CANON("\xF0\x9F\x87\xAB"));                               /* half a flag */
    assert_null(CANON("\xF0\x9F\x91"));                                   /* cut UTF-8 */
    assert_null(emoji_canonical("\xF0\x9F\x91\x8D", 3));                  /* n is respected */
    char big[200];
    memset(big, 'x', sizeof big);
    assert_null(emoji_canonical(big, sizeof big));
}

static void test_table_sorted(void **state)
{
    (void)state;
    assert_true(emoji_table_len > 4000);
    for (unsigned i = 1; i < emoji_table_len; i++) {
        const char *a = emoji_table[i - 1].utf8, *b = emoji_table[i].utf8;
        size_t la = strlen(a), lb = strlen(b);
        int c = memcmp(a, b, la < lb ? la : lb);
        assert_true(c < 0 || (c == 0 && la < lb));
        /* every entry is found, and its canonical form is canonical itself */
        const char *canon = emoji_canonical(b, lb);
        assert_non_null(canon);
        assert_string_equal(emoji_canonical(canon, strlen(canon)), canon);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_emoji),
        cmocka_unit_test(test_qualification_is_canonical),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_table_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
