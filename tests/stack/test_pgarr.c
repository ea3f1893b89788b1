/* test_pgarr.c — the array literals of pgarr.h read back by the stack's PostgreSQL: every
 * text element arrives as itself, whatever it holds, and ids keep their values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "../../cgi/core/config.h"
#include "../../cgi/store/pgarr.h"

static config cfg;

/* The rows of sql with its one parameter bound to lit, each row's one column (NULL: "<null>"). */
static PGresult *rows(PGconn *c, const char *sql, const char *lit)
{
    const char *p[] = {lit};
    PGresult *r = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    return r;
}

static void test_text_elements_arrive_as_themselves(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "plain", "", "a,b", "{braces}", "}", "say \"hi\"", "\\", "back\\slash\\", "NULL", "null",
        " leading and trailing ", "tab\there", "line\nbreak", "héllo wörld ✓", "\"", "'quoted'", "a\\\"b",
    };
    size_t n = sizeof texts / sizeof texts[0];
    arena a;
    arena_init(&a);
    pgarr x;
    pgarr_init(&x);
    for (size_t i = 0; i < n; i++) pgarr_text(&x, texts[i]);
    const char *lit = pgarr_done(&x, &a);
    assert_non_null(lit);
    PGconn *c = PQconnectdb(cfg.db);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = rows(c, "SELECT coalesce(t, '<null>') FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i", lit);
    assert_int_equal(PQntuples(r), (int)n);
    for (size_t i = 0; i < n; i++) assert_string_equal(PQgetvalue(r, (int)i, 0), texts[i]);
    PQclear(r);
    r = rows(c, "SELECT cardinality($1::text[])", "{}");
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
    PQfinish(c);
    arena_free(&a);
}

static void test_ids_keep_their_values(void **state)
{
    (void)state;
    long long v[] = {1, -2, LLONG_MAX, LLONG_MIN, 0, 1234567890123};
    size_t n = sizeof v / sizeof v[0];
    arena a;
    arena_init(&a);
    PGconn *c = PQconnectdb(cfg.db);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = rows(c, "SELECT x FROM unnest($1::bigint[]) WITH ORDINALITY AS u(x, i) ORDER BY i", pgarr_ids(&a, v, n));
    assert_int_equal(PQntuples(r), (int)n);
    for (size_t i = 0; i < n; i++) {
        char want[24];
        snprintf(want, sizeof want, "%lld", v[i]);
        assert_string_equal(PQgetvalue(r, (int)i, 0), want);
    }
    PQclear(r);
    r = rows(c, "SELECT cardinality($1::bigint[])", pgarr_ids(&a, NULL, 0));
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
    PQfinish(c);
    arena_free(&a);
}

int main(void)
{
    char err[256];
    if (config_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "test_pgarr: %s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_elements_arrive_as_themselves),
        cmocka_unit_test(test_ids_keep_their_values),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    config_free(&cfg);
    return rc;
}
