/* validate.c — see validate.h. */
#include "validate.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../core/utf8.h"
#include "../core/num.h"

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

/* Appends one list item (a token of text or a JSON value) as an id or a username. */
static err_t list_item(json_t *out, const field_spec *f, const char *tok, size_t n, arena *a, const char **msg)
{
    if (f->kind == FV_IDS) {
        long long id;
        if (num_parse(tok, n, &id)) {
            *msg = arena_printf(a, "%s must be a list of ids.", f->label);
            return ERR_INVALID_FIELD;
        }
        return json_array_append_new(out, json_integer(id)) ? ERR_INTERNAL : ERR_OK;
    }
    if (n && tok[0] == '@') { tok++; n--; }
    char *low = arena_strndup(a, tok, n);
    if (!low) return ERR_INTERNAL;
    for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
    if (!username_valid(low)) {
        *msg = arena_printf(a, "%s: \"%s\" is not a valid username.", f->label, low);
        return ERR_INVALID_FIELD;
    }
    for (size_t i = 0; i < json_array_size(out); i++)          /* each name once */
        if (!strcmp(json_string_value(json_array_get(out, i)), low)) return ERR_OK;
    return json_array_append_new(out, json_string(low)) ? ERR_INTERNAL : ERR_OK;
}

/* Every entry of a text separated by commas or white space. */
static err_t list_text(json_t *out, const field_spec *f, const char *s, size_t n, arena *a, const char **msg)
{
    err_t e = ERR_OK;
    size_t pos = 0;
    while (!e && pos < n) {
        pos += strspn(s + pos, ", \t\r\n");
        size_t tl = strcspn(s + pos, ", \t\r\n");
        if (tl) e = list_item(out, f, s + pos, tl, a, msg);
        pos += tl;
    }
    return e;
}

static err_t check_list(json_t *input, const field_spec *f, json_t *v, arena *a, const char **msg)
{
    json_t *out = json_array();
    if (!out) return ERR_INTERNAL;
    err_t e = ERR_OK;
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (json_is_integer(item) && f->kind == FV_IDS && json_integer_value(item) > 0) {
                json_array_append_new(out, json_integer(json_integer_value(item)));
            } else if (json_is_string(item)) {   /* a form's name[] values may each hold several */
                e = list_text(out, f, json_string_value(item), json_string_length(item), a, msg);
            } else {
                *msg = arena_printf(a, "%s must be a list of %s.", f->label, f->kind == FV_IDS ? "ids" : "usernames");
                e = ERR_INVALID_FIELD;
            }
            if (e) break;
        }
    } else if (json_is_string(v)) {
        e = list_text(out, f, json_string_value(v), json_string_length(v), a, msg);
    } else {
        *msg = arena_printf(a, "%s must be a list of %s.", f->label, f->kind == FV_IDS ? "ids" : "usernames");
        e = ERR_INVALID_FIELD;
    }
    if (!e && ((long long)json_array_size(out) < f->min || (long long)json_array_size(out) > f->max)) {
        *msg = arena_printf(a, "%s must have %lld to %lld entries.", f->label, f->min, f->max);
        e = ERR_INVALID_FIELD;
    }
    if (e) { json_decref(out); return e; }
    json_object_set_new(input, f->name, out);
    return ERR_OK;
}

static err_t check_one(json_t *input, const field_spec *f, arena *a, const char **msg)
{
    json_t *v = json_object_get(input, f->name);
    /* An optional field left empty in a form means "not given" (forms send every input). */
    if (!f->required && json_is_string(v) && json_string_length(v) == 0 &&
        (f->kind == FV_INT || f->kind == FV_USERNAME || f->kind == FV_UUID || f->kind == FV_IDS ||
         f->kind == FV_NAMES || f->kind == FV_BOOL)) {
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
    if (f->kind == FV_IDS || f->kind == FV_NAMES) return check_list(input, f, v, a, msg);
    if (f->kind == FV_BOOL) {
        if (json_is_boolean(v)) return ERR_OK;
        const char *t = json_is_string(v) ? json_string_value(v) : "";
        int yes = !strcmp(t, "1") || !strcmp(t, "on") || !strcmp(t, "true");
        int no = !strcmp(t, "0") || !strcmp(t, "off") || !strcmp(t, "false");
        if (!yes && !no) {
            *msg = arena_printf(a, "%s must be true or false.", f->label);
            return ERR_INVALID_FIELD;
        }
        json_object_set_new(input, f->name, json_boolean(yes));
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
    case FV_UUID: {
        static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
        char low[sizeof shape];
        int ok = len == sizeof shape - 1;
        for (size_t i = 0; ok && i < len; i++) {
            char ch = (char)tolower((unsigned char)s[i]);
            ok = shape[i] == '-' ? ch == '-' : isxdigit((unsigned char)ch) != 0;
            low[i] = ch;
        }
        if (!ok) {
            *msg = arena_printf(a, "%s must be a UUID like 123e4567-e89b-12d3-a456-426614174000.", f->label);
            return ERR_INVALID_FIELD;
        }
        low[len] = '\0';
        json_object_set_new(input, f->name, json_string(low));
        return ERR_OK;
    }
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
    case FV_BYTES:
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
        unsigned cp = f->kind == FV_TEXT ? utf8_has_invisible(s, len) : 0;
        if (cp) {   /* one-line names and titles must show what they say; text keeps them */
            *msg = arena_printf(a, "%s must not contain invisible or direction-changing characters (U+%04X).", f->label, cp);
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
