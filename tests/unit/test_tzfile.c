/* test_tzfile.c — UTC offsets from the system's TZif files agree with libc's localtime_r
 * (this test is one thread, so switching TZ is safe here), in the table and past it (the
 * footer's rule), across daylight-saving changes; and the page's time texts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../cgi/core/tzfile.h"
#include "../../cgi/view/localtime.h"

static long libc_offset(const char *zone, long long t)
{
    setenv("TZ", zone, 1);
    tzset();
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    return tm.tm_gmtoff;
}

static void test_agrees_with_libc(void **state)
{
    (void)state;
    static const char *const zones[] = {"America/New_York", "Asia/Tokyo", "Europe/London", "Australia/Sydney",
                                        "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "Europe/Dublin",
                                        "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe", "Africa/Casablanca",
                                        "Pacific/Apia", "America/Santiago", "UTC", "Europe/Berlin"};
    for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++) {
        const tz_zone *z = tz_zone_get(zones[k]);
        assert_non_null(z);
        assert_ptr_equal(tz_zone_get(zones[k]), z);            /* read once, kept */
        /* Every 7 hours and 13 minutes from 1901 to 2100: the table and, past 2037, the rule. */
        for (long long t = -2145916800LL; t < 4102444800LL; t += 7 * 3600 + 13 * 60) {
            long want = libc_offset(zones[k], t), got = tz_offset(z, t);
            if (want != got) fail_msg("%s at %lld: libc %ld, tzfile %ld", zones[k], t, want, got);
        }
    }
}

static void test_dst_edges(void **state)
{
    (void)state;
    const tz_zone *ny = tz_zone_get("America/New_York");
    assert_non_null(ny);
    /* 2026-03-08 07:00:00Z is 2:00 EST → 3:00 EDT; 2026-11-01 06:00:00Z is 2:00 EDT → 1:00 EST. */
    assert_int_equal(tz_offset(ny, 1772953200LL - 1), -5 * 3600);
    assert_int_equal(tz_offset(ny, 1772953200LL), -4 * 3600);
    assert_int_equal(tz_offset(ny, 1793512800LL - 1), -4 * 3600);
    assert_int_equal(tz_offset(ny, 1793512800LL), -5 * 3600);
    /* 2050: past the table of a fat file, the footer's rule (second Sunday in March, 13th). */
    assert_int_equal(tz_offset(ny, 2530767600LL - 1), -5 * 3600);   /* 2050-03-13 07:00:00Z */
    assert_int_equal(tz_offset(ny, 2530767600LL), -4 * 3600);
    assert_int_equal(tz_offset(tz_zone_get("Asia/Tokyo"), 1772953200LL), 9 * 3600);
    assert_int_equal(tz_offset(NULL, 1772953200LL), 0);
}

/* A slim file: no transitions, only the footer; offsets come from the rule alone. */
static void test_footer_only(void **state)
{
    (void)state;
    unsigned char f[256];
    memset(f, 0, sizeof f);
    size_t n = 0;
    for (int v = 0; v < 2; v++) {            /* the v1 header and block, then the v2 ones */
        memcpy(f + n, "TZif2", 5);
        f[n + 20 + 4 * 4 + 3] = 1;           /* typecnt 1 */
        f[n + 20 + 4 * 5 + 3] = 4;           /* charcnt 4 */
        n += 44;
        f[n] = 0xff; f[n + 1] = 0xff; f[n + 2] = 0xb9; f[n + 3] = 0xb0;   /* utoff -18000 */
        n += 6;
        memcpy(f + n, "EST", 4);
        n += 4;
    }
    const char footer[] = "\nEST5EDT,M3.2.0,M11.1.0\n";
    memcpy(f + n, footer, sizeof footer - 1);
    n += sizeof footer - 1;
    tz_zone *z = tz_parse(f, n);
    assert_non_null(z);
    const tz_zone *ny = tz_zone_get("America/New_York");
    for (long long t = 1262304000LL; t < 4102444800LL; t += 5 * 3600 + 7)    /* 2010 to 2100 */
        if (tz_offset(z, t) != tz_offset(ny, t)) fail_msg("at %lld: %ld, want %ld", t, tz_offset(z, t), tz_offset(ny, t));
    tz_free(z);
    /* Southern hemisphere, with a time after midnight and a Julian day. */
    memcpy(f + n - (sizeof footer - 1), "\nAEST-10AEDT,M10.1.0,M4.1.0/3\n", 30);
    z = tz_parse(f, n - (sizeof footer - 1) + 30);
    assert_non_null(z);
    const tz_zone *syd = tz_zone_get("Australia/Sydney");
    for (long long t = 1262304000LL; t < 4102444800LL; t += 5 * 3600 + 7)
        if (tz_offset(z, t) != tz_offset(syd, t)) fail_msg("at %lld: %ld, want %ld", t, tz_offset(z, t), tz_offset(syd, t));
    tz_free(z);
    /* Malformed: a bad footer, a cut file, not TZif at all. */
    memcpy(f + n - (sizeof footer - 1), "\nEST5EDT,M13.2.0,M11.1.0\n", 25);
    assert_null(tz_parse(f, n - (sizeof footer - 1) + 25));
    assert_null(tz_parse(f, 60));
    assert_null(tz_parse((const unsigned char *)"not a zone at all, not even close to one....", 44));
}

static void test_names(void **state)
{
    (void)state;
    assert_true(tz_name_ok("America/Argentina/Buenos_Aires"));
    assert_true(tz_name_ok("Etc/GMT+5"));
    assert_false(tz_name_ok("../../etc/passwd"));
    assert_false(tz_name_ok("/etc/localtime"));
    assert_false(tz_name_ok(""));
    assert_false(tz_name_ok("Europe//Berlin"));
    assert_null(tz_zone_get("Mars/Olympus_Mons"));
    assert_null(tz_zone_get("../zoneinfo/UTC"));
}

static void test_texts(void **state)
{
    (void)state;
    char s[64];
    const tz_zone *ny = tz_zone_get("America/New_York"), *tokyo = tz_zone_get("Asia/Tokyo");
    long long now = 1773000000LL;            /* 2026-03-08 20:00:00Z: 16:00 EDT, 2026-03-09 05:00 JST */
    /* 2026-03-08 06:30Z: 01:30 EST in New York (before the change), 15:30 in Tokyo. */
    view_time_text("2026-03-08T06:30:00Z", ny, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "1:30 AM");
    view_time_text("2026-03-08T06:30:00Z", tokyo, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "Mar 8");                          /* yesterday in Tokyo */
    /* 2026-03-08 07:30Z: 3:30 EDT (after the change), the same day. */
    view_time_text("2026-03-08T07:30:00Z", ny, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "3:30 AM");
    view_time_text("2026-03-08T19:05:09.123Z", ny, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "3:05 PM");
    view_time_text("2026-03-08T16:00:00Z", ny, now, "long", 0, s, sizeof s);
    assert_string_equal(s, "Mar 8, 2026, 12:00 PM");
    view_time_text("2026-03-08T04:00:00Z", ny, now, "long", 0, s, sizeof s);
    assert_string_equal(s, "Mar 7, 2026, 11:00 PM");
    view_time_text("2026-03-08T16:00:00Z", tokyo, now, "day", 0, s, sizeof s);
    assert_string_equal(s, "2026-03-09");
    view_time_text("2025-12-31T23:00:00Z", tokyo, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "Jan 1");                          /* this year in Tokyo */
    view_time_text("2025-12-31T23:00:00Z", ny, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "2025-12-31");
    view_time_text("2026-03-08T12:00:00Z", NULL, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "12:00 PM");                       /* no zone: UTC */
    view_time_text("2026-03-08T19:05:09Z", ny, now, "short", 1, s, sizeof s);
    assert_string_equal(s, "15:05");                          /* a 24-hour clock */
    view_time_text("2026-03-08T12:00:00Z", ny, now, "short", 1, s, sizeof s);
    assert_string_equal(s, "08:00");
    view_time_text("2026-03-08T04:00:00Z", ny, now, "long", 1, s, sizeof s);
    assert_string_equal(s, "Mar 7, 2026, 23:00");
    view_time_text("yesterday", ny, now, "short", 0, s, sizeof s);
    assert_string_equal(s, "yesterday");                      /* not a time: as it is */
    long long t;
    assert_int_equal(view_iso_parse("2026-13-01T00:00:00Z", &t), 0);
    assert_int_equal(view_iso_parse("2026-03-08T07:00:00+00:00", &t), 1);
    assert_int_equal(t, 1772953200LL);
}

static NEOERR *collect(void *ctx, char *s)
{
    strncat(ctx, s, 511 - strlen(ctx));
    return STATUS_OK;
}

/* local_time() in a template: the zone from Session.time_zone, UTC without one, and the
 * same parser rendering for readers in other zones (the thread's zone is looked up again). */
static void test_template_function(void **state)
{
    (void)state;
    const char *zones[] = {"America/New_York", "Asia/Tokyo", NULL, "Mars/Nowhere"};
    const char *want[] = {"Mar 7, 2026, 11:00 PM|2026-03-07", "Mar 8, 2026, 1:00 PM|2026-03-08",
                          "Mar 8, 2026, 4:00 AM|2026-03-08", "Mar 8, 2026, 4:00 AM|2026-03-08"};
    for (int i = 0; i < 4; i++) {
        HDF *h = NULL;
        CSPARSE *cs = NULL;
        char out[512] = "";
        assert_int_equal(hdf_init(&h), STATUS_OK);
        if (zones[i]) assert_int_equal(hdf_set_value(h, "Session.time_zone", zones[i]), STATUS_OK);
        assert_int_equal(hdf_set_value(h, "t", "2026-03-08T04:00:00Z"), STATUS_OK);
        assert_int_equal(cs_init(&cs, h), STATUS_OK);
        assert_int_equal(view_localtime_register(cs), STATUS_OK);
        char *tpl = strdup("<?cs var:local_time(t, \"long\") ?>|<?cs var:local_time(t, \"day\") ?>");
        assert_int_equal(cs_parse_string(cs, tpl, strlen(tpl)), STATUS_OK);   /* the parser owns tpl */
        assert_int_equal(cs_render(cs, out, collect), STATUS_OK);
        assert_string_equal(out, want[i]);
        cs_destroy(&cs);
        hdf_destroy(&h);
    }
    /* Session.clock24 = 1: the same time on a 24-hour clock. */
    HDF *h = NULL;
    CSPARSE *cs = NULL;
    char out[512] = "";
    assert_int_equal(hdf_init(&h), STATUS_OK);
    assert_int_equal(hdf_set_value(h, "Session.time_zone", "America/New_York"), STATUS_OK);
    assert_int_equal(hdf_set_value(h, "Session.clock24", "1"), STATUS_OK);
    assert_int_equal(hdf_set_value(h, "t", "2026-03-08T04:00:00Z"), STATUS_OK);
    assert_int_equal(cs_init(&cs, h), STATUS_OK);
    assert_int_equal(view_localtime_register(cs), STATUS_OK);
    char *tpl = strdup("<?cs var:local_time(t, \"long\") ?>");
    assert_int_equal(cs_parse_string(cs, tpl, strlen(tpl)), STATUS_OK);
    assert_int_equal(cs_render(cs, out, collect), STATUS_OK);
    assert_string_equal(out, "Mar 7, 2026, 23:00");
    cs_destroy(&cs);
    hdf_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_libc), cmocka_unit_test(test_dst_edges), cmocka_unit_test(test_footer_only),
        cmocka_unit_test(test_names), cmocka_unit_test(test_texts), cmocka_unit_test(test_template_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
