/* test_route.c — route table matching: static paths, ":name" params, 404 against 405. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/route.h"
#include "unit_fixture.h"

static const route table[] = {
    {"GET", "/", NULL, 0, "home", NULL, NULL, NULL},
    {"GET", "/login", NULL, 0, "login", NULL, NULL, NULL},
    {"POST", "/login", NULL, R_ANON_FORM, NULL, NULL, NULL, NULL},
    {"GET", "/users/:id", NULL, R_AUTH, "user", NULL, NULL, NULL},
    {"DELETE", "/users/:id", NULL, R_AUTH, NULL, NULL, NULL, NULL},
    {"PUT", "/users/:id", NULL, R_AUTH, NULL, NULL, NULL, NULL},
    {"GET", "/users/:id/sessions/:sid", NULL, R_AUTH, NULL, NULL, NULL, NULL},
    {"POST", "/health", NULL, R_JSON_ONLY, NULL, NULL, NULL, NULL},
};
enum { NT = sizeof table / sizeof table[0] };

typedef struct fix { arena a; char allow[64]; route_params p; const route *r; } fix;

_Static_assert(offsetof(fix, a) == 0, "unit_fixture.h wants the arena first");

static int setup(void **state) { return arena_fix_setup(state, sizeof(fix)); }

static err_t match(fix *f, const char *method, const char *path)
{
    f->r = NULL;
    memset(&f->p, 0, sizeof f->p);
    return route_match(table, NT, method, path, &f->a, &f->r, &f->p, f->allow, sizeof f->allow);
}

static void test_static(void **state)
{
    fix *f = *state;
    assert_int_equal(match(f, "GET", "/"), ERR_OK);
    assert_ptr_equal(f->r, &table[0]);
    assert_int_equal(f->p.n, 0);
    assert_int_equal(match(f, "GET", "/login"), ERR_OK);
    assert_ptr_equal(f->r, &table[1]);
    assert_int_equal(match(f, "POST", "/login"), ERR_OK);
    assert_ptr_equal(f->r, &table[2]);
    assert_int_equal(match(f, "GET", "/nope"), ERR_NOT_FOUND);
    assert_null(f->r);
    assert_int_equal(match(f, "GET", "/log"), ERR_NOT_FOUND);
    assert_int_equal(match(f, "GET", "/loginx"), ERR_NOT_FOUND);
    assert_int_equal(match(f, "GET", "/Login"), ERR_NOT_FOUND);
    assert_int_equal(match(f, "GET", ""), ERR_NOT_FOUND);
    assert_int_equal(match(f, "GET", "//login"), ERR_NOT_FOUND);
}

static void test_trailing_slash(void **state)
{
    fix *f = *state;
    assert_int_equal(match(f, "GET", "/login/"), ERR_NOT_FOUND);
    assert_int_equal(match(f, "GET", "/users/"), ERR_NOT_FOUND);     /* empty :id */
    assert_int_equal(match(f, "GET", "/users/7/"), ERR_NOT_FOUND);
    assert_int_equal(match(f, "GET", "/users"), ERR_NOT_FOUND);
}

static void test_params(void **state)
{
    fix *f = *state;
    assert_int_equal(match(f, "GET", "/users/42"), ERR_OK);
    assert_ptr_equal(f->r, &table[3]);
    assert_int_equal(f->p.n, 1);
    assert_string_equal(route_param(&f->p, "id"), "42");
    assert_null(route_param(&f->p, "sid"));
    assert_int_equal(match(f, "DELETE", "/users/alice"), ERR_OK);
    assert_ptr_equal(f->r, &table[4]);
    assert_string_equal(route_param(&f->p, "id"), "alice");
    assert_int_equal(match(f, "GET", "/users/7/sessions/abc"), ERR_OK);
    assert_ptr_equal(f->r, &table[6]);
    assert_int_equal(f->p.n, 2);
    assert_string_equal(route_param(&f->p, "id"), "7");
    assert_string_equal(route_param(&f->p, "sid"), "abc");
    assert_int_equal(match(f, "GET", "/users/7/sessions"), ERR_NOT_FOUND);
    assert_int_equal(match(f, "GET", "/users/7/other/abc"), ERR_NOT_FOUND);
}

static void test_head_is_get(void **state)
{
    fix *f = *state;
    assert_int_equal(match(f, "HEAD", "/login"), ERR_OK);
    assert_ptr_equal(f->r, &table[1]);
    assert_int_equal(match(f, "HEAD", "/users/9"), ERR_OK);
    assert_string_equal(route_param(&f->p, "id"), "9");
    assert_int_equal(match(f, "HEAD", "/health"), ERR_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "POST");
}

static void test_method_not_allowed(void **state)
{
    fix *f = *state;
    assert_int_equal(match(f, "DELETE", "/login"), ERR_METHOD_NOT_ALLOWED);
    assert_null(f->r);
    assert_string_equal(f->allow, "GET, POST");
    assert_int_equal(match(f, "POST", "/users/3"), ERR_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "GET, DELETE, PUT");
    assert_int_equal(match(f, "GET", "/health"), ERR_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "POST");
    /* a 404 leaves no stale Allow list behind */
    assert_int_equal(match(f, "GET", "/missing"), ERR_NOT_FOUND);
    assert_string_equal(f->allow, "");
    assert_int_equal(match(f, "get", "/login"), ERR_METHOD_NOT_ALLOWED);  /* methods are case-sensitive */
}

static void test_segment_cap(void **state)
{
    fix *f = *state;
    char path[ROUTE_MAX_SEGMENT + 16];
    strcpy(path, "/users/");
    memset(path + 7, 'x', ROUTE_MAX_SEGMENT);
    path[7 + ROUTE_MAX_SEGMENT] = '\0';
    assert_int_equal(match(f, "GET", path), ERR_OK);
    assert_int_equal(strlen(route_param(&f->p, "id")), ROUTE_MAX_SEGMENT);
    path[7 + ROUTE_MAX_SEGMENT] = 'x';
    path[8 + ROUTE_MAX_SEGMENT] = '\0';
    assert_int_equal(match(f, "GET", path), ERR_NOT_FOUND);
}

static void test_route_param_empty(void **state)
{
    (void)state;
    route_params p = {0};
    assert_null(route_param(&p, "id"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_static, setup, arena_fix_teardown),
        cmocka_unit_test_setup_teardown(test_trailing_slash, setup, arena_fix_teardown),
        cmocka_unit_test_setup_teardown(test_params, setup, arena_fix_teardown),
        cmocka_unit_test_setup_teardown(test_head_is_get, setup, arena_fix_teardown),
        cmocka_unit_test_setup_teardown(test_method_not_allowed, setup, arena_fix_teardown),
        cmocka_unit_test_setup_teardown(test_segment_cap, setup, arena_fix_teardown),
        cmocka_unit_test(test_route_param_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
