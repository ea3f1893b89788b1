/* fuzz_json.c — JSON request bodies, then the field validators of every kind on them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "../../cgi/http/body.h"
#include "../../cgi/http/validate.h"
#include "../../cgi/core/utf8.h"

static const field_spec specs[] = {
    {"t", "Text", FV_TEXT, 1, 1, 64},
    {"m", "Message", FV_MULTILINE, 0, 0, 200},
    {"u", "Username", FV_USERNAME, 1, 0, 0},
    {"p", "Password", FV_BYTES, 1, 8, 128},
    {"i", "Count", FV_INT, 0, -5, 1000},
    {"j", "Big", FV_INT, 1, -9223372036854775807LL - 1, 9223372036854775807LL},
    {"o", "Optional", FV_TEXT, 0, 0, 3},
    {"ids", "Ids", FV_IDS, 0, 0, 20},
    {"names", "Names", FV_NAMES, 0, 1, 20},
    {"cid", "client_id", FV_UUID, 0, 0, 0},
    {NULL, NULL, 0, 0, 0, 0},
};
enum { NSPECS = sizeof specs / sizeof specs[0] - 1 };

static void check(json_t *o, const field_spec *list, arena *a)
{
    const char *field = NULL, *msg = NULL;
    err_t e = fields_check(o, list, a, &field, &msg);
    if (e == ERR_OK) return;
    if (e != ERR_MISSING_FIELD && e != ERR_INVALID_FIELD && e != ERR_INVALID_UTF8) abort();
    if (!field || !msg || !*msg) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    json_t *o = NULL;
    err_t e = body_parse(&a, "application/json", (const char *)data, size, &o);
    if (e != ERR_OK) {
        if (o || (e != ERR_INVALID_JSON && e != ERR_INVALID_UTF8)) abort();
        arena_free(&a);
        return 0;
    }
    if (!json_is_object(o)) abort();
    check(o, specs, &a);                                  /* the whole list */
    for (size_t i = 0; i < NSPECS; i++) {                 /* and each kind on its own */
        field_spec one[2] = {specs[i], {0}};
        const char *field = NULL, *msg = NULL;
        err_t fe = fields_check(o, one, &a, &field, &msg);
        if (fe == ERR_OK) {
            json_t *v = json_object_get(o, specs[i].name);
            if (specs[i].kind == FV_USERNAME && v && !json_is_null(v) &&
                !username_valid(json_string_value(v))) abort();
            if (specs[i].kind == FV_INT && v && !json_is_null(v) &&
                (!json_is_integer(v) || json_integer_value(v) < specs[i].min ||
                 json_integer_value(v) > specs[i].max)) abort();
            if ((specs[i].kind == FV_IDS || specs[i].kind == FV_NAMES) && v && !json_is_null(v)) {
                if (!json_is_array(v) || (long long)json_array_size(v) > specs[i].max) abort();
                for (size_t k = 0; k < json_array_size(v); k++) {
                    json_t *item = json_array_get(v, k);
                    if (specs[i].kind == FV_IDS ? !json_is_integer(item) || json_integer_value(item) < 0
                                                : !json_is_string(item) || !username_valid(json_string_value(item)))
                        abort();
                }
            }
            if (specs[i].kind == FV_TEXT && json_is_string(v) &&
                utf8_has_invisible(json_string_value(v), json_string_length(v))) abort();
            if (specs[i].kind == FV_UUID && v && !json_is_null(v) &&
                (!json_is_string(v) || json_string_length(v) != 36)) abort();
        } else if (!field || !msg || !*msg) {
            abort();
        }
    }
    json_decref(o);
    arena_free(&a);
    return 0;
}
