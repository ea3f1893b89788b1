/* test_body.c — request bodies (JSON or urlencoded form) become one JSON object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/body.h"
#include "unit_fixture.h"

/* Parses; on success checks an object came back and stores it for the caller to decref. */
static err_t parse(arena *a, const char *ct, const char *body, size_t len, json_t **out)
{
    err_t e = body_parse(a, ct, body, len, out);
    if (e) assert_null(*out);
    else assert_true(json_is_object(*out));
    return e;
}
#define PARSE(a, ct, lit, out) parse(a, ct, lit, sizeof(lit) - 1, out)

static void test_json_object(void **state)
{
    arena *a = *state;
    json_t *o;
    assert_int_equal(PARSE(a, "application/json", "{\"name\":\"alice\",\"n\":3,\"s\":\"caf\xC3\xA9\"}", &o), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(o, "name")), "alice");
    assert_int_equal(json_integer_value(json_object_get(o, "n")), 3);
    assert_string_equal(json_string_value(json_object_get(o, "s")), "caf\xC3\xA9");
    json_decref(o);
    assert_int_equal(PARSE(a, "application/json", "{\"e\":\"\\u00e9\"}", &o), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(o, "e")), "\xC3\xA9");
    json_decref(o);
}

static void test_json_not_object(void **state)
{
    arena *a = *state;
    json_t *o;
    assert_int_equal(PARSE(a, "application/json", "[1,2]", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "\"str\"", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "42", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "null", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "{\"a\":1", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "{a:1}", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "{\"a\":1} x", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "   ", &o), ERR_INVALID_JSON);
    assert_int_equal(PARSE(a, "application/json", "{\"a\":1,\"a\":2}", &o), ERR_INVALID_JSON);
}

static void test_json_bad_text(void **state)
{
    arena *a = *state;
    json_t *o;
    assert_int_equal(PARSE(a, "application/json", "{\"a\":\"\xC3\x28\"}", &o), ERR_INVALID_UTF8);
    assert_int_equal(PARSE(a, "application/json", "{\"a\":\"\xED\xA0\x80\"}", &o), ERR_INVALID_UTF8);
    assert_int_equal(PARSE(a, "application/json", "{\"a\":\"x\\u0000y\"}", &o), ERR_INVALID_UTF8);
    assert_int_equal(PARSE(a, "application/json", "{\"\xFF\":1}", &o), ERR_INVALID_UTF8);
}

static void test_form(void **state)
{
    arena *a = *state;
    json_t *o;
    assert_int_equal(PARSE(a, "application/x-www-form-urlencoded", "a=1&b=hello+there&a=2&c", &o), ERR_OK);
    assert_int_equal(json_object_size(o), 3);
    assert_string_equal(json_string_value(json_object_get(o, "a")), "1");   /* first wins */
    assert_string_equal(json_string_value(json_object_get(o, "b")), "hello there");
    assert_string_equal(json_string_value(json_object_get(o, "c")), "");
    assert_true(json_is_string(json_object_get(o, "a")));                   /* never a number */
    json_decref(o);
    assert_int_equal(PARSE(a, "application/x-www-form-urlencoded", "a=%00", &o), ERR_INVALID_UTF8);
    assert_int_equal(PARSE(a, "application/x-www-form-urlencoded", "a=%C3%28", &o), ERR_INVALID_UTF8);
    assert_int_equal(PARSE(a, "application/x-www-form-urlencoded", "a=%zz", &o), ERR_BAD_REQUEST);
}

static void test_form_field_cap(void **state)
{
    arena *a = *state;
    json_t *o;
    char body[BODY_MAX_FIELDS * 2 + 8];
    size_t n = 0;
    for (int i = 0; i < BODY_MAX_FIELDS; i++) { body[n++] = 'a'; body[n++] = '&'; }
    body[--n] = '\0';                                       /* exactly BODY_MAX_FIELDS pieces */
    assert_int_equal(parse(a, "application/x-www-form-urlencoded", body, n, &o), ERR_OK);
    json_decref(o);
    body[n++] = '&';
    body[n++] = 'b';
    body[n] = '\0';
    assert_int_equal(parse(a, "application/x-www-form-urlencoded", body, n, &o), ERR_BAD_REQUEST);
}

static void test_content_types(void **state)
{
    arena *a = *state;
    json_t *o;
    assert_int_equal(PARSE(a, "application/json; charset=utf-8", "{\"k\":true}", &o), ERR_OK);
    assert_true(json_is_true(json_object_get(o, "k")));
    json_decref(o);
    assert_int_equal(PARSE(a, "Application/JSON;charset=UTF-8", "{}", &o), ERR_OK);
    json_decref(o);
    assert_int_equal(PARSE(a, "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8", "x=1", &o), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(o, "x")), "1");
    json_decref(o);
    assert_int_equal(PARSE(a, NULL, "{}", &o), ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(PARSE(a, "text/plain", "{}", &o), ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(PARSE(a, "application/jsonx", "{}", &o), ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(PARSE(a, "multipart/form-data; boundary=x", "a=1", &o), ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(PARSE(a, "", "{}", &o), ERR_UNSUPPORTED_MEDIA);
}

static void test_form_arrays(void **state)
{
    arena *a = *state;
    json_t *o;
    const char *body = "conversation_ids%5B%5D=3&conversation_ids[]=5&body=hi&body=again";
    assert_int_equal(parse(a, "application/x-www-form-urlencoded", body, strlen(body), &o), ERR_OK);
    json_t *ids = json_object_get(o, "conversation_ids");
    assert_true(json_is_array(ids));                       /* name[] collects every value */
    assert_int_equal(json_array_size(ids), 2);
    assert_string_equal(json_string_value(json_array_get(ids, 1)), "5");
    assert_string_equal(json_string_value(json_object_get(o, "body")), "hi");   /* others: first wins */
    json_decref(o);
}

static void test_empty_body(void **state)
{
    arena *a = *state;
    json_t *o;
    assert_int_equal(parse(a, NULL, "", 0, &o), ERR_OK);
    assert_int_equal(json_object_size(o), 0);
    json_decref(o);
    assert_int_equal(parse(a, "text/plain", NULL, 0, &o), ERR_OK);
    assert_int_equal(json_object_size(o), 0);
    json_decref(o);
    /* A JSON request must carry a JSON object; an empty one is malformed. */
    assert_int_equal(parse(a, "application/json", "", 0, &o), ERR_INVALID_JSON);
    assert_null(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_object, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_json_not_object, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_json_bad_text, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_form, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_field_cap, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_content_types, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_empty_body, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_arrays, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
