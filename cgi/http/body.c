/* body.c — see body.h. jansson validates UTF-8 and rejects \u0000 unless asked not to. */
#include "body.h"
#include <strings.h>
#include <string.h>

/* Compares the media type (before any ';' parameters) case-insensitively. */
static int media_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n)) return 0;
    ct += n;
    while (*ct == ' ') ct++;
    return *ct == '\0' || *ct == ';';
}

err_t body_parse(arena *a, const char *content_type, const char *data, size_t len, json_t **out)
{
    *out = NULL;
    if (len == 0 && !(content_type && media_is(content_type, "application/json"))) {
        *out = json_object();
        return *out ? ERR_OK : ERR_INTERNAL;
    }
    if (!content_type) return ERR_UNSUPPORTED_MEDIA;
    if (media_is(content_type, "application/json")) {
        json_error_t je;
        json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!v) {
            enum json_error_code code = json_error_code(&je);
            return code == json_error_invalid_utf8 || code == json_error_null_character
                   ? ERR_INVALID_UTF8 : ERR_INVALID_JSON;
        }
        if (!json_is_object(v)) { json_decref(v); return ERR_INVALID_JSON; }
        *out = v;
        return ERR_OK;
    }
    if (media_is(content_type, "application/x-www-form-urlencoded")) {
        http_pairs p;
        err_t e = form_parse(a, data, len, BODY_MAX_FIELDS, &p);
        if (e) return e;
        json_t *o = json_object();
        if (!o) return ERR_INTERNAL;
        for (size_t i = 0; i < p.n; i++) {
            const char *name = p.items[i].name;
            size_t nl = strlen(name);
            json_t *s = json_stringn(p.items[i].value, p.items[i].value_len);
            if (!s) { json_decref(o); return ERR_INTERNAL; }
            if (nl > 2 && !strcmp(name + nl - 2, "[]")) {        /* checkboxes: name[] → array */
                char *base = arena_strndup(a, name, nl - 2);
                json_t *arr = base ? json_object_get(o, base) : NULL;
                if (!base) { json_decref(s); json_decref(o); return ERR_INTERNAL; }
                if (!json_is_array(arr)) {
                    arr = json_array();
                    if (!arr || json_object_set_new(o, base, arr)) { json_decref(s); json_decref(o); return ERR_INTERNAL; }
                }
                json_array_append_new(arr, s);
                continue;
            }
            if (json_object_get(o, name)) { json_decref(s); continue; }   /* first value wins */
            if (json_object_set_new(o, name, s)) { json_decref(o); return ERR_INTERNAL; }
        }
        *out = o;
        return ERR_OK;
    }
    return ERR_UNSUPPORTED_MEDIA;
}
