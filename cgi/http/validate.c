/* validate.c — see validate.h. */
#include "validate.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../core/utf8.h"

int username_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 32) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static err_t check_one(json_t *input, const field_spec *f, arena *a, const char **msg)
{
    json_t *v = json_object_get(input, f->name);
    /* An optional field left empty in a form means "not given" (forms send every input). */
    if (!f->required && json_is_string(v) && json_string_length(v) == 0 &&
        (f->kind == FV_INT || f->kind == FV_USERNAME)) {
        json_object_del(input, f->name);
        return ERR_OK;
    }
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0 && f->required)) {
        if (!f->required) return ERR_OK;
        *msg = arena_printf(a, "%s is required.", f->label);
        return ERR_MISSING_FIELD;
    }
    if (f->kind == FV_INT) {
        long long n;
        if (json_is_integer(v)) {
            n = json_integer_value(v);
        } else if (json_is_string(v)) {
            const char *s = json_string_value(v);
            char *end;
            errno = 0;
            n = strtoll(s, &end, 10);
            if (errno || end == s || *end || !(isdigit((unsigned char)*s) || *s == '-')) {
                *msg = arena_printf(a, "%s must be a whole number.", f->label);
                return ERR_INVALID_FIELD;
            }
            json_object_set_new(input, f->name, json_integer(n));
        } else {
            *msg = arena_printf(a, "%s must be a whole number.", f->label);
            return ERR_INVALID_FIELD;
        }
        if (n < f->min || n > f->max) {
            *msg = arena_printf(a, "%s must be from %lld to %lld.", f->label, f->min, f->max);
            return ERR_INVALID_FIELD;
        }
        return ERR_OK;
    }
    if (!json_is_string(v)) {
        *msg = arena_printf(a, "%s must be a string.", f->label);
        return ERR_INVALID_FIELD;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!utf8_valid(s, len)) {              /* jansson already checks; forms are checked too */
        *msg = arena_printf(a, "%s must be valid UTF-8 text.", f->label);
        return ERR_INVALID_UTF8;
    }
    switch (f->kind) {
    case FV_USERNAME: {
        char *low = arena_strndup(a, s, len);
        if (!low) return ERR_INTERNAL;
        for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
        if (!username_valid(low)) {
            *msg = arena_printf(a, "%s must be 3 to 32 characters: letters a-z, digits, _ . or -.", f->label);
            return ERR_INVALID_FIELD;
        }
        json_object_set_new(input, f->name, json_string(low));
        return ERR_OK;
    }
    case FV_PASSWORD:
        if ((long long)len < f->min || (long long)len > f->max) {
            *msg = arena_printf(a, "%s must be %lld to %lld bytes long.", f->label, f->min, f->max);
            return ERR_INVALID_FIELD;
        }
        return ERR_OK;
    case FV_TEXT:
    case FV_MULTILINE: {
        size_t chars = utf8_count(s, len);
        if ((long long)chars < f->min || (long long)chars > f->max) {
            *msg = f->min > 0
                ? arena_printf(a, "%s must be %lld to %lld characters long.", f->label, f->min, f->max)
                : arena_printf(a, "%s must be at most %lld characters long.", f->label, f->max);
            return ERR_INVALID_FIELD;
        }
        if (utf8_has_control(s, len, f->kind == FV_MULTILINE)) {
            *msg = arena_printf(a, "%s must not contain control characters.", f->label);
            return ERR_INVALID_FIELD;
        }
        return ERR_OK;
    }
    default:
        *msg = arena_printf(a, "%s cannot be checked.", f->label);
        return ERR_INTERNAL;
    }
}

err_t fields_check(json_t *input, const field_spec *specs, arena *a, const char **field, const char **msg)
{
    for (const field_spec *f = specs; f && f->name; f++) {
        err_t e = check_one(input, f, a, msg);
        if (e) { *field = f->name; return e; }
    }
    return ERR_OK;
}
