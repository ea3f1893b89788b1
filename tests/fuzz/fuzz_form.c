/* fuzz_form.c — urlencoded request bodies turned into a JSON object of strings (and, for
 * names ending in "[]", arrays of strings: checkbox lists); the invisible-character scan on
 * the raw bytes and on every decoded value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "../../cgi/http/body.h"
#include "../../cgi/core/utf8.h"

/* The scan answers 0, a refused code point or a joiner; never reads past n. */
static void scan(const char *s, size_t n)
{
    unsigned cp = utf8_has_invisible(s, n);
    if (cp && !utf8_cp_refused(cp) && cp != 0x200C && cp != 0x200D) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    json_t *o = NULL;
    scan((const char *)data, size);
    err_t e = body_parse(&a, "application/x-www-form-urlencoded; charset=utf-8", (const char *)data, size, &o);
    if (e == ERR_OK) {
        if (!json_is_object(o) || json_object_size(o) > BODY_MAX_FIELDS) abort();
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v) {
            if (json_is_string(v)) { scan(json_string_value(v), json_string_length(v)); continue; }
            if (!json_is_array(v) || json_array_size(v) == 0) abort();
            for (size_t i = 0; i < json_array_size(v); i++)
                if (!json_is_string(json_array_get(v, i))) abort();
        }
        char *dump = json_dumps(o, JSON_COMPACT);
        free(dump);
        json_decref(o);
    } else if (o) {
        abort();                                   /* no object on failure */
    }
    arena_free(&a);
    return 0;
}
