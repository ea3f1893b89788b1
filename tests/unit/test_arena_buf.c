/* test_arena_buf.c — the per-request arena and the growable buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/core/arena.h"
#include "../../cgi/core/buf.h"
#include "unit_fixture.h"

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) if (p[i]) return 0;
    return 1;
}

static void test_alignment(void **state)
{
    arena *a = *state;
    static const size_t sizes[] = {1, 3, 7, 15, 16, 17, 31, 100, 1000, 5000, 20000, 1, 2};
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = arena_alloc(a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 16, 0);
            assert_true(all_zero(p, sizes[i]));
            memset(p, 0xAB, sizes[i]);                 /* ASan: the whole size is ours */
        }
    /* distinct allocations do not overlap */
    char *x = arena_alloc(a, 5), *y = arena_alloc(a, 5);
    assert_true(y >= x + 5 || x >= y + 5);
}

static void test_large(void **state)
{
    arena *a = *state;
    char *small = arena_strdup(a, "before");
    size_t big = 10u * 1024 * 1024;
    unsigned char *p = arena_alloc(a, big);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_int_equal(p[0], 0);
    assert_int_equal(p[big - 1], 0);
    memset(p, 1, big);
    char *after = arena_strdup(a, "after");
    assert_string_equal(small, "before");
    assert_string_equal(after, "after");
    assert_true(a->total >= big);
    assert_null(arena_alloc(a, SIZE_MAX));             /* size overflow is refused */
    assert_null(arena_alloc(a, SIZE_MAX - 8));
    assert_null(arena_alloc(a, SIZE_MAX - 31));         /* rounds without wrapping; chunk header would */
    assert_string_equal(arena_strdup(a, "ok"), "ok");   /* and the arena still works */
}

static void test_strings(void **state)
{
    arena *a = *state;
    assert_string_equal(arena_strdup(a, "hello"), "hello");
    assert_string_equal(arena_strdup(a, ""), "");
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strndup(a, "hello world", 5), "hello");
    const char raw[] = {'a', 'b', 'c'};                  /* not NUL-terminated */
    assert_string_equal(arena_strndup(a, raw, 3), "abc");
    assert_string_equal(arena_printf(a, "%s=%d;%05.1f", "x", -42, 3.14159), "x=-42;003.1");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    /* longer than a whole chunk */
    size_t n = 100000;
    char *big = malloc(n + 1);
    memset(big, 'z', n);
    big[n] = '\0';
    char *p = arena_printf(a, "<%s>", big);
    free(big);
    assert_non_null(p);
    assert_int_equal(strlen(p), n + 2);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[n + 1], '>');
    assert_int_equal(p[n / 2], 'z');
}

static void test_reset(void **state)
{
    arena *a = *state;
    char *first = arena_alloc(a, 10);
    assert_non_null(first);
    memset(first, 'x', 10);
    for (int i = 0; i < 100; i++) assert_non_null(arena_alloc(a, 4000));   /* spill into new chunks */
    assert_true(a->total >= 400000);
    arena_reset(a);
    assert_int_equal(a->total, 0);
    assert_non_null(a->head);                                           /* memory kept */
    char *again = arena_alloc(a, 10);
    assert_ptr_equal(again, first);                                     /* the first chunk is reused */
    assert_true(all_zero((unsigned char *)again, 10));
    assert_int_equal(a->total, 16);
    for (int i = 0; i < 100; i++) assert_non_null(arena_alloc(a, 4000));
    arena_reset(a);
    arena_reset(a);                                                     /* twice is harmless */
    assert_string_equal(arena_strdup(a, "still works"), "still works");
    arena_free(a);
    assert_null(a->head);
    assert_int_equal(a->total, 0);
    assert_string_equal(arena_strdup(a, "after free"), "after free");  /* usable again */
}

static void test_empty_arena(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    arena_reset(&a);
    assert_null(a.head);
    arena_free(&a);
    assert_int_equal(a.total, 0);
}

static void test_buf_growth(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(b.len, 0);
    for (int i = 0; i < 5000; i++) buf_append(&b, "0123456789", 10);
    assert_int_equal(b.len, 50000);
    assert_true(b.cap > b.len);
    assert_int_equal(strlen(buf_str(&b)), 50000);
    assert_int_equal(memcmp(b.data + 49990, "0123456789", 10), 0);
    for (int i = 0; i < 1000; i++) buf_printf(&b, "[%d]", i);
    assert_false(b.oom);
    const char *tail = buf_str(&b) + b.len - 5;
    assert_string_equal(tail, "[999]");
    assert_int_equal(strncmp(buf_str(&b) + 50000, "[0][1][2]", 9), 0);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
}

static void test_buf_ops(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "ab");
    buf_putc(&b, 'c');
    buf_append(&b, "d\0e", 3);                                  /* binary-safe */
    assert_int_equal(b.len, 6);
    assert_int_equal(memcmp(b.data, "abcd\0e", 7), 0);
    buf_append(&b, NULL, 0);
    assert_int_equal(b.len, 6);
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    assert_non_null(b.data);                                    /* memory kept */
    char big[3000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "%s|%s", big, "end");                        /* one printf larger than cap */
    assert_int_equal(b.len, sizeof big - 1 + 4);
    assert_string_equal(buf_str(&b) + sizeof big - 1, "|end");
    buf_free(&b);
    buf_reset(&b);                                              /* on a freed buffer */
    assert_string_equal(buf_str(&b), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alignment, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_large, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_strings, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_reset, arena_setup, arena_teardown),
        cmocka_unit_test(test_empty_arena),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
