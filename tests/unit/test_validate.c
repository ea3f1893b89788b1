/* test_validate.c — declared input fields: presence, type, bounds and normalisation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/validate.h"
#include "unit_fixture.h"

typedef struct fix { arena a; json_t *in; const char *field, *msg; } fix;

_Static_assert(offsetof(fix, a) == 0, "unit_fixture.h wants the arena first");

static int setup(void **state) { return arena_fix_setup(state, sizeof(fix)); }

static int teardown(void **state)
{
    fix *f = *state;
    json_decref(f->in);
    return arena_fix_teardown(state);
}

/* Checks the JSON text against one spec; the input stays in f->in for inspection. */
static err_t check1(fix *f, const field_spec *spec, const char *json)
{
    field_spec list[2] = {*spec, {0}};
    json_decref(f->in);
    f->in = json_loads(json, 0, NULL);
    assert_non_null(f->in);
    f->field = f->msg = NULL;
    return fields_check(f->in, list, &f->a, &f->field, &f->msg);
}

/* A failure names the field and says why in a sentence that mentions the label. */
static void assert_explained(fix *f, const field_spec *spec)
{
    assert_non_null(f->field);
    assert_string_equal(f->field, spec->name);
    assert_non_null(f->msg);
    size_t n = strlen(f->msg);
    assert_true(n > 5);
    assert_int_equal(f->msg[n - 1], '.');
    assert_non_null(strstr(f->msg, spec->label));
}

static const field_spec name_text = {"name", "Display name", FV_TEXT, 1, 1, 64};
static const field_spec bio = {"bio", "Bio", FV_MULTILINE, 0, 0, 10};
static const field_spec user = {"username", "Username", FV_USERNAME, 1, 0, 0};
static const field_spec pass = {"password", "Password", FV_BYTES, 1, 8, 16};
static const field_spec age = {"age", "Age", FV_INT, 1, 1, 150};

static void test_required(void **state)
{
    fix *f = *state;
    const field_spec *all[] = {&name_text, &user, &pass, &age};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(check1(f, all[i], "{}"), ERR_MISSING_FIELD);
        assert_explained(f, all[i]);
        assert_non_null(strstr(f->msg, "required"));
        char j[64];
        snprintf(j, sizeof j, "{\"%s\":\"\"}", all[i]->name);
        assert_int_equal(check1(f, all[i], j), ERR_MISSING_FIELD);
        assert_explained(f, all[i]);
        snprintf(j, sizeof j, "{\"%s\":null}", all[i]->name);
        assert_int_equal(check1(f, all[i], j), ERR_MISSING_FIELD);
        assert_explained(f, all[i]);
    }
    /* optional fields may be absent, null or empty */
    assert_int_equal(check1(f, &bio, "{}"), ERR_OK);
    assert_int_equal(check1(f, &bio, "{\"bio\":null}"), ERR_OK);
    assert_int_equal(check1(f, &bio, "{\"bio\":\"\"}"), ERR_OK);
}

static void test_wrong_type(void **state)
{
    fix *f = *state;
    assert_int_equal(check1(f, &name_text, "{\"name\":5}"), ERR_INVALID_FIELD);
    assert_explained(f, &name_text);
    assert_int_equal(check1(f, &name_text, "{\"name\":[\"x\"]}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &name_text, "{\"name\":true}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &user, "{\"username\":{}}"), ERR_INVALID_FIELD);
    assert_explained(f, &user);
    assert_int_equal(check1(f, &pass, "{\"password\":12345678}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\"12a\"}"), ERR_INVALID_FIELD);
    assert_explained(f, &age);
    assert_int_equal(check1(f, &age, "{\"age\":1.5}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":true}"), ERR_INVALID_FIELD);
}

static void test_username(void **state)
{
    fix *f = *state;
    assert_int_equal(check1(f, &user, "{\"username\":\"Alice\"}"), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(f->in, "username")), "alice");
    assert_int_equal(check1(f, &user, "{\"username\":\"a_b.c-9\"}"), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(f->in, "username")), "a_b.c-9");
    assert_int_equal(check1(f, &user, "{\"username\":\"abc\"}"), ERR_OK);
    assert_int_equal(check1(f, &user, "{\"username\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"), ERR_OK); /* 32 */
    const char *bad[] = {"ab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */, "a b", "\xC3\xA9" "abc",
                         "abc!", "ab/c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *o = json_pack("{ss}", "username", bad[i]);
        char *j = json_dumps(o, 0);
        json_decref(o);
        err_t e = check1(f, &user, j);
        free(j);
        assert_int_equal(e, ERR_INVALID_FIELD);
        assert_explained(f, &user);
        /* the input is left as sent */
        assert_string_equal(json_string_value(json_object_get(f->in, "username")), bad[i]);
    }
}

static void test_password(void **state)
{
    fix *f = *state;
    assert_int_equal(check1(f, &pass, "{\"password\":\"12345678\"}"), ERR_OK);              /* 8 */
    assert_int_equal(check1(f, &pass, "{\"password\":\"1234567\"}"), ERR_INVALID_FIELD);     /* 7 */
    assert_explained(f, &pass);
    assert_int_equal(check1(f, &pass, "{\"password\":\"1234567890123456\"}"), ERR_OK);      /* 16 */
    assert_int_equal(check1(f, &pass, "{\"password\":\"12345678901234567\"}"), ERR_INVALID_FIELD);
    /* bytes, not characters: 4 × é is 8 bytes (ok), 9 × é is 18 bytes (too long) */
    assert_int_equal(check1(f, &pass, "{\"password\":\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"}"), ERR_OK);
    assert_int_equal(check1(f, &pass, "{\"password\":\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                                      "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"}"), ERR_INVALID_FIELD);
    /* a password is not folded or trimmed */
    assert_int_equal(check1(f, &pass, "{\"password\":\" PassWord \"}"), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(f->in, "password")), " PassWord ");
}

static char *repeat_json(const char *key, const char *unit, int times)
{
    size_t ul = strlen(unit);
    char *s = malloc(strlen(key) + ul * (size_t)times + 16);
    char *p = s + sprintf(s, "{\"%s\":\"", key);
    for (int i = 0; i < times; i++) { memcpy(p, unit, ul); p += ul; }
    strcpy(p, "\"}");
    return s;
}

static void test_text(void **state)
{
    fix *f = *state;
    char *j = repeat_json("name", "\xC3\xA9", 64);
    assert_int_equal(check1(f, &name_text, j), ERR_OK);
    free(j);
    j = repeat_json("name", "\xC3\xA9", 65);
    assert_int_equal(check1(f, &name_text, j), ERR_INVALID_FIELD);
    free(j);
    assert_explained(f, &name_text);
    assert_non_null(strstr(f->msg, "64"));
    j = repeat_json("name", "\xF0\x9F\x98\x80", 64);                    /* 4-byte characters */
    assert_int_equal(check1(f, &name_text, j), ERR_OK);
    free(j);
    assert_int_equal(check1(f, &name_text, "{\"name\":\"Zo\\u00e9 \\ud83d\\ude00\"}"), ERR_OK);
    assert_int_equal(check1(f, &name_text, "{\"name\":\"a\\nb\"}"), ERR_INVALID_FIELD);
    assert_explained(f, &name_text);
    assert_non_null(strstr(f->msg, "control"));
    assert_int_equal(check1(f, &name_text, "{\"name\":\"a\\tb\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &name_text, "{\"name\":\"a\\u001bb\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &name_text, "{\"name\":\"a\\u007f\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &name_text, "{\"name\":\"a\\u0085\"}"), ERR_INVALID_FIELD);
    /* the minimum counts characters as well */
    field_spec min3 = {"t", "Title", FV_TEXT, 1, 3, 5};
    assert_int_equal(check1(f, &min3, "{\"t\":\"ab\"}"), ERR_INVALID_FIELD);
    assert_explained(f, &min3);
    assert_int_equal(check1(f, &min3, "{\"t\":\"\xC3\xA9\xC3\xA9\xC3\xA9\"}"), ERR_OK);
}

/* One-line text refuses bidi and invisible characters and says which; multi-line text keeps them. */
static void test_text_invisible(void **state)
{
    fix *f = *state;
    const char *bad[] = {"Admin\\u202Egnp.exe", "a\\u202Ab", "a\\u2066b", "a\\u2069", "a\\u200Bb",
                         "a\\u200Eb", "a\\u200F", "a\\u2028b", "a\\u2029b", "a\\u2060b", "a\\u2064",
                         "\\uFEFFabc", "\\u200Cabc", "\\u0645\\u06CC\\u200C", "Ad\\u200Dmin"};
    const char *code[] = {"U+202E", "U+202A", "U+2066", "U+2069", "U+200B", "U+200E", "U+200F",
                          "U+2028", "U+2029", "U+2060", "U+2064", "U+FEFF", "U+200C", "U+200C",
                          "U+200D"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char j[96];
        snprintf(j, sizeof j, "{\"name\":\"%s\"}", bad[i]);
        assert_int_equal(check1(f, &name_text, j), ERR_INVALID_FIELD);
        assert_explained(f, &name_text);
        assert_non_null(strstr(f->msg, "invisible or direction-changing"));
        assert_non_null(strstr(f->msg, code[i]));
    }
    assert_string_equal(f->msg, "Display name must not contain invisible or direction-changing characters (U+200D).");
    /* joiners between two visible non-ASCII characters: emoji sequences and Persian words */
    assert_int_equal(check1(f, &name_text, "{\"name\":\"\\ud83d\\udc68\\u200D\\ud83d\\udc69\\u200D\\ud83d\\udc67\"}"), ERR_OK);
    assert_int_equal(check1(f, &name_text, "{\"name\":\"\\u0645\\u06CC\\u200C\\u062E\\u0648\\u0627\\u0647\\u0645\"}"), ERR_OK);
    assert_int_equal(check1(f, &name_text, "{\"name\":\"\\u0645\\u0631\\u06CC\\u0645\"}"), ERR_OK);
    /* descriptions keep them (the pages isolate them) */
    assert_int_equal(check1(f, &bio, "{\"bio\":\"a\\u202Eb\\u200B\\u2028\"}"), ERR_OK);
    /* bytes fields (message bodies) are not this check's business */
    const field_spec body = {"body", "Message", FV_BYTES, 1, 1, 100};
    assert_int_equal(check1(f, &body, "{\"body\":\"look \\u202Eexe.txt\"}"), ERR_OK);
}

static void test_multiline(void **state)
{
    fix *f = *state;
    assert_int_equal(check1(f, &bio, "{\"bio\":\"a\\nb\\r\\n\\tc\"}"), ERR_OK);
    assert_int_equal(check1(f, &bio, "{\"bio\":\"a\\u0001\"}"), ERR_INVALID_FIELD);
    assert_explained(f, &bio);
    assert_int_equal(check1(f, &bio, "{\"bio\":\"0123456789x\"}"), ERR_INVALID_FIELD);     /* 11 > 10 */
    assert_explained(f, &bio);
    assert_int_equal(check1(f, &bio, "{\"bio\":\"0123456789\"}"), ERR_OK);
}

static void test_int(void **state)
{
    fix *f = *state;
    assert_int_equal(check1(f, &age, "{\"age\":42}"), ERR_OK);
    assert_int_equal(json_integer_value(json_object_get(f->in, "age")), 42);
    assert_int_equal(check1(f, &age, "{\"age\":\"42\"}"), ERR_OK);       /* a form's digits */
    assert_true(json_is_integer(json_object_get(f->in, "age")));
    assert_int_equal(json_integer_value(json_object_get(f->in, "age")), 42);
    assert_int_equal(check1(f, &age, "{\"age\":1}"), ERR_OK);
    assert_int_equal(check1(f, &age, "{\"age\":150}"), ERR_OK);
    assert_int_equal(check1(f, &age, "{\"age\":0}"), ERR_INVALID_FIELD);
    assert_explained(f, &age);
    assert_non_null(strstr(f->msg, "150"));
    assert_int_equal(check1(f, &age, "{\"age\":151}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\"151\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\"-3\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\" 4\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\"+4\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\"4 \"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\"-\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &age, "{\"age\":\"99999999999999999999\"}"), ERR_INVALID_FIELD);
    field_spec neg = {"n", "Offset", FV_INT, 0, -10, 10};
    assert_int_equal(check1(f, &neg, "{\"n\":\"-10\"}"), ERR_OK);
    assert_int_equal(json_integer_value(json_object_get(f->in, "n")), -10);
    assert_int_equal(check1(f, &neg, "{}"), ERR_OK);
}

static void test_list_stops_at_first_failure(void **state)
{
    fix *f = *state;
    const field_spec specs[] = {user, pass, name_text, {0}};
    f->in = json_loads("{\"username\":\"Bob\",\"password\":\"short\"}", 0, NULL);
    assert_non_null(f->in);
    assert_int_equal(fields_check(f->in, specs, &f->a, &f->field, &f->msg), ERR_INVALID_FIELD);
    assert_string_equal(f->field, "password");
    assert_string_equal(json_string_value(json_object_get(f->in, "username")), "bob");
    json_object_set_new(f->in, "password", json_string("long enough"));
    json_object_set_new(f->in, "name", json_string("Bob"));
    f->field = NULL;
    assert_int_equal(fields_check(f->in, specs, &f->a, &f->field, &f->msg), ERR_OK);
    assert_null(f->field);
    assert_int_equal(fields_check(f->in, NULL, &f->a, &f->field, &f->msg), ERR_OK);
}

static void test_ids(void **state)
{
    fix *f = *state;
    const field_spec spec = {"ids", "Members", FV_IDS, 0, 0, 3};
    assert_int_equal(check1(f, &spec, "{\"ids\":[1,2,3]}"), ERR_OK);
    assert_int_equal(json_array_size(json_object_get(f->in, "ids")), 3);
    /* a form's text: commas or spaces; digit strings inside JSON arrays too */
    assert_int_equal(check1(f, &spec, "{\"ids\":\"4, 5 6\"}"), ERR_OK);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(f->in, "ids"), 2)), 6);
    assert_int_equal(check1(f, &spec, "{\"ids\":[\"7\",\"8\"]}"), ERR_OK);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(f->in, "ids"), 1)), 8);
    assert_int_equal(check1(f, &spec, "{\"ids\":[1,2,3,4]}"), ERR_INVALID_FIELD);   /* over max */
    assert_explained(f, &spec);
    assert_int_equal(check1(f, &spec, "{\"ids\":[\"x\"]}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &spec, "{\"ids\":[-1]}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &spec, "{\"ids\":{}}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &spec, "{\"ids\":\"\"}"), ERR_OK);                  /* optional, empty */
    assert_null(json_object_get(f->in, "ids"));
}

static void test_names(void **state)
{
    fix *f = *state;
    const field_spec spec = {"names", "Usernames", FV_NAMES, 1, 1, 5};
    assert_int_equal(check1(f, &spec, "{\"names\":\"@Alice, bob bob\"}"), ERR_OK);
    json_t *arr = json_object_get(f->in, "names");
    assert_int_equal(json_array_size(arr), 2);                 /* folded, each once */
    assert_string_equal(json_string_value(json_array_get(arr, 0)), "alice");
    assert_int_equal(check1(f, &spec, "{\"names\":[\"carol\",\"dave\"]}"), ERR_OK);
    assert_int_equal(check1(f, &spec, "{\"names\":\"ok, no way\"}"), ERR_INVALID_FIELD);
    assert_non_null(strstr(f->msg, "\"ok\""));                 /* names the bad one */
    assert_int_equal(check1(f, &spec, "{\"names\":\" , \"}"), ERR_INVALID_FIELD);    /* none */
}

static void test_uuid(void **state)
{
    fix *f = *state;
    const field_spec spec = {"client_id", "client_id", FV_UUID, 1, 0, 0};
    assert_int_equal(check1(f, &spec, "{\"client_id\":\"123E4567-E89B-12D3-A456-426614174000\"}"), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(f->in, "client_id")), "123e4567-e89b-12d3-a456-426614174000");
    assert_int_equal(check1(f, &spec, "{\"client_id\":\"123e4567e89b12d3a456426614174000\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &spec, "{\"client_id\":\"123e4567-e89b-12d3-a456-42661417400g\"}"), ERR_INVALID_FIELD);
    assert_int_equal(check1(f, &spec, "{\"client_id\":\"'; DROP TABLE messages; --\"}"), ERR_INVALID_FIELD);
    assert_explained(f, &spec);
}

static void test_username_valid(void **state)
{
    (void)state;
    assert_int_equal(username_valid("alice"), 1);
    assert_int_equal(username_valid("Alice"), 0);     /* folding is fields_check's job */
    assert_int_equal(username_valid("al"), 0);
    assert_int_equal(username_valid(""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_username, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_invisible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_stops_at_first_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uuid, setup, teardown),
        cmocka_unit_test(test_username_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
