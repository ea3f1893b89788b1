/* test_jobs.c — the job queue's pure parts: kinds, keys, payloads, backoff, the hourly key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/worker/cleanup.h"
#include "../../cgi/worker/jobs.h"
#include "../../cgi/worker/kinds.h"

static void test_kind_valid(void **state)
{
    (void)state;
    assert_true(jobs_kind_valid("cleanup"));
    assert_true(jobs_kind_valid("webhook.v2"));
    assert_true(jobs_kind_valid("mail_digest-1"));
    char max[JOBS_KIND_MAX + 2];
    memset(max, 'a', JOBS_KIND_MAX);
    max[JOBS_KIND_MAX] = '\0';
    assert_true(jobs_kind_valid(max));
    max[JOBS_KIND_MAX] = 'a';
    max[JOBS_KIND_MAX + 1] = '\0';
    assert_false(jobs_kind_valid(max));
    static const char *const bad[] = {"", "Cleanup", "1st", "-x", ".x", "a b", "a/b", "clean\nup", "é", "a;drop"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_false(jobs_kind_valid(bad[i]));
    assert_false(jobs_kind_valid(NULL));
}

static void test_key_valid(void **state)
{
    (void)state;
    assert_true(jobs_key_valid("cleanup:2026-11-28T02"));
    assert_true(jobs_key_valid("a b"));
    assert_false(jobs_key_valid(""));
    assert_false(jobs_key_valid(NULL));
    assert_false(jobs_key_valid("tab\there"));
    assert_false(jobs_key_valid("caf\xc3\xa9"));
    char k[JOBS_KEY_MAX + 2];
    memset(k, 'k', JOBS_KEY_MAX);
    k[JOBS_KEY_MAX] = '\0';
    assert_true(jobs_key_valid(k));
    k[JOBS_KEY_MAX] = 'k';
    k[JOBS_KEY_MAX + 1] = '\0';
    assert_false(jobs_key_valid(k));
}

static void test_payload_check(void **state)
{
    (void)state;
    assert_null(jobs_payload_check("{}"));
    assert_null(jobs_payload_check("{\"to\":\"a@example.org\",\"n\":[1,2,{\"x\":null}]}"));
    assert_null(jobs_payload_check(" { \"a\" : 1 } "));
    static const char *const bad[] = {
        "", "[]", "1", "\"x\"", "null", "{", "{\"a\":1,}", "{\"a\":1}{}", "{\"a\":1,\"a\":2}",
        "{\"a\":\"\\u0000\"}", "{\"a\":\"\xff\"}", "{'a':1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = jobs_payload_check(bad[i]);
        assert_non_null(why);
        assert_true(strlen(why) > 5);
    }
    assert_non_null(jobs_payload_check(NULL));
    /* Larger than 64 KiB: refused before parsing. */
    size_t n = JOBS_PAYLOAD_MAX + 16;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    assert_string_equal(jobs_payload_check(big), "payload is larger than 64 KiB");
    free(big);
}

/* base·2^(attempts-1), jitter adds at most a quarter, 6 hours at most. */
static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(jobs_backoff(1, 10, 0), 10);
    assert_int_equal(jobs_backoff(2, 10, 0), 20);
    assert_int_equal(jobs_backoff(3, 10, 0), 40);
    assert_int_equal(jobs_backoff(8, 10, 0), 1280);
    assert_int_equal(jobs_backoff(1, 1, 0), 1);
    assert_int_equal(jobs_backoff(2, 1, 0), 2);
    assert_int_equal(jobs_backoff(3, 1, 0), 4);
    for (unsigned j = 0; j < 1000; j += 7) {
        long d = jobs_backoff(3, 10, j);
        assert_true(d >= 40 && d <= 50);
    }
    assert_int_equal(jobs_backoff(3, 10, 10), 50);           /* jitter 10 of at most 10 */
    assert_int_equal(jobs_backoff(30, 10, 0), JOBS_BACKOFF_CAP);
    assert_int_equal(jobs_backoff(100, 3600, ~0u), JOBS_BACKOFF_CAP);
    assert_int_equal(jobs_backoff(1000000, 10, 12345), JOBS_BACKOFF_CAP);  /* no overflow */
    assert_int_equal(jobs_backoff(0, 10, 0), 10);             /* nonsense input: the first step */
    assert_int_equal(jobs_backoff(-5, 0, 0), 1);
    for (int a = 1; a < 40; a++) assert_true(jobs_backoff(a + 1, 10, 0) >= jobs_backoff(a, 10, 0));
}

static void test_cleanup_key(void **state)
{
    (void)state;
    char k[64];
    cleanup_key("cleanup", 1795831199LL, k, sizeof k);                   /* 2026-11-28T01:59:59Z */
    assert_string_equal(k, "cleanup:2026-11-28T01");
    cleanup_key("cleanup", 1795831200LL, k, sizeof k);                   /* the next hour */
    assert_string_equal(k, "cleanup:2026-11-28T02");
    assert_true(jobs_key_valid(k));
    cleanup_key("media.cleanup", 1795831200LL, k, sizeof k);
    assert_string_equal(k, "media.cleanup:2026-11-28T02");
}

static void test_kinds(void **state)
{
    (void)state;
    assert_non_null(kinds_find("cleanup"));
    assert_non_null(kinds_find("media.process"));
    assert_non_null(kinds_find("media.cleanup"));
    assert_null(kinds_find("webhook"));
    assert_null(kinds_find(""));
    for (const job_kind *k = kinds; k->name; k++) {
        assert_true(jobs_kind_valid(k->name));
        assert_non_null(k->run);
        assert_non_null(k->about);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_valid),
        cmocka_unit_test(test_key_valid),
        cmocka_unit_test(test_payload_check),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_cleanup_key),
        cmocka_unit_test(test_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
