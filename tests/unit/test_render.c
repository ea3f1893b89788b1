/* test_render.c — JSON copied into HDF, and templates rendered with HTML escaping on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "../../cgi/view/render.h"

typedef struct fix { char dir[64]; char pages[96]; char file[128]; HDF *h; buf out; json_t *v; } fix;

static int setup(void **state)
{
    fix *f = calloc(1, sizeof *f);
    if (!f) return -1;
    strcpy(f->dir, "/tmp/parley-render-XXXXXX");
    if (!mkdtemp(f->dir)) { free(f); return -1; }
    snprintf(f->pages, sizeof f->pages, "%s/pages", f->dir);
    snprintf(f->file, sizeof f->file, "%s/t.cs", f->pages);
    FILE *fp = NULL;
    if (mkdir(f->pages, 0700) || !(fp = fopen(f->file, "w"))) { free(f); return -1; }
    fputs("<p><?cs var:Data.name ?></p><a title=\"<?cs var:Data.name ?>\">"
          "<?cs each:x = Data.list ?>[<?cs var:x ?>]<?cs /each ?>", fp);
    fclose(fp);
    buf_init(&f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    if (f->h) hdf_destroy(&f->h);
    json_decref(f->v);
    buf_free(&f->out);
    unlink(f->file);
    rmdir(f->pages);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_escaping(void **state)
{
    fix *f = *state;
    f->h = view_hdf_new(f->dir);
    assert_non_null(f->h);
    f->v = json_loads("{\"name\":\"<script>alert(1)</script>\\\"'&\",\"n\":42,\"b\":true,\"f\":false,"
                      "\"z\":null,\"list\":[\"a\",\"b\"]}", 0, NULL);
    assert_non_null(f->v);
    assert_int_equal(view_json_to_hdf(f->h, "Data", f->v), ERR_OK);
    assert_int_equal(view_render(f->h, "t", &f->out), ERR_OK);
    const char *s = buf_str(&f->out);
    assert_non_null(strstr(s, "<p>&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(s, "<script>"));
    assert_null(strstr(s, "</script>"));
    /* the attribute value cannot be closed by the data */
    const char *attr = strstr(s, "<a title=\"");
    assert_non_null(attr);
    attr += strlen("<a title=\"");
    const char *close = strchr(attr, '"');
    assert_non_null(close);
    assert_string_equal(close, "\">[a][b]");
    assert_non_null(strstr(attr, "&amp;"));
    assert_null(strchr(attr, '\''));                       /* the single quote is escaped too */
    assert_string_equal(hdf_get_value(f->h, "Data.n", "?"), "42");
    assert_string_equal(hdf_get_value(f->h, "Data.b", "?"), "1");
    assert_string_equal(hdf_get_value(f->h, "Data.f", "?"), "0");
    assert_null(hdf_get_value(f->h, "Data.z", NULL));
    assert_string_equal(hdf_get_value(f->h, "Data.list.0", "?"), "a");
    assert_string_equal(hdf_get_value(f->h, "Data.list.1", "?"), "b");
    assert_string_equal(hdf_get_value(f->h, "Data.name", "?"), "<script>alert(1)</script>\"'&");
}

static void test_set_and_missing_template(void **state)
{
    fix *f = *state;
    f->h = view_hdf_new(f->dir);
    assert_non_null(f->h);
    view_set(f->h, "Data.name", "a<b");
    assert_int_equal(view_render(f->h, "t", &f->out), ERR_OK);
    assert_non_null(strstr(buf_str(&f->out), "<p>a&lt;b</p>"));
    buf_reset(&f->out);
    assert_int_equal(view_render(f->h, "does-not-exist", &f->out), ERR_INTERNAL);
}

static void test_json_out(void **state)
{
    fix *f = *state;
    f->v = json_pack("{s:i, s:s, s:[b,n]}", "id", 7, "name", "a\"b</script>", "x", 1);
    assert_non_null(f->v);
    view_json(f->v, &f->out);
    const char *s = buf_str(&f->out);
    assert_false(f->out.oom);
    json_t *back = json_loads(s, 0, NULL);
    assert_non_null(back);
    int same = json_equal(back, f->v);
    json_decref(back);
    assert_true(same);
    assert_null(strchr(s, ' '));                               /* compact */
    assert_non_null(strstr(s, "\"id\":7"));
}

int main(void)
{
    if (view_init()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_and_missing_template, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_out, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
