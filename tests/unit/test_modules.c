/* test_modules.c — the module list: every route is reachable once, every statement name
 * is unique, and every route's declared fields are well formed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/app/module.h"

static void test_routes_unique(void **state)
{
    (void)state;
    size_t n;
    const route *r = modules_routes(&n);
    assert_true(n > 40);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(r[i].fn);
        assert_true(r[i].pattern[0] == '/');
        for (size_t j = i + 1; j < n; j++)
            if (!strcmp(r[i].method, r[j].method) && !strcmp(r[i].pattern, r[j].pattern))
                fail_msg("%s %s is declared twice", r[i].method, r[i].pattern);
    }
}

static void test_statements_unique(void **state)
{
    (void)state;
    const db_stmt *const *sets = modules_stmts();
    size_t total = 0;
    for (const db_stmt *const *a = sets; *a; a++)
        for (const db_stmt *s = *a; s->name; s++) {
            total++;
            assert_non_null(s->sql);
            for (const db_stmt *const *b = a; *b; b++)
                for (const db_stmt *t = (b == a ? s + 1 : *b); t->name; t++)
                    if (!strcmp(s->name, t->name)) fail_msg("statement %s is declared twice", s->name);
        }
    assert_true(total > 40);
}

static void test_fields_well_formed(void **state)
{
    (void)state;
    size_t n;
    const route *r = modules_routes(&n);
    for (size_t i = 0; i < n; i++)
        for (const field_spec *lists[] = {r[i].fields, r[i].query}, **l = lists; l < lists + 2; l++)
            for (const field_spec *f = *l; f && f->name; f++) {
                assert_non_null(f->label);
                assert_true(f->min <= f->max || f->kind == FV_UUID || f->kind == FV_BOOL);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_unique),
        cmocka_unit_test(test_statements_unique),
        cmocka_unit_test(test_fields_well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
