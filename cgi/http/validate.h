/* validate.h — declared input fields per route, checked at the edge before any handler runs. */
#ifndef PARLEY_VALIDATE_H
#define PARLEY_VALIDATE_H
#include <stddef.h>
#include <jansson.h>
#include "../core/arena.h"
#include "../core/err.h"

typedef enum field_kind {
    FV_TEXT,       /* UTF-8 text, min..max characters, no control characters and no
                      invisible or direction-changing ones (utf8_has_invisible) */
    FV_MULTILINE,  /* like FV_TEXT, newlines, tabs and invisible characters allowed (the
                      pages isolate such text with dir="auto") */
    FV_USERNAME,   /* 3–32 of a-z 0-9 _ . - ; upper case is folded to lower case in place */
    FV_BYTES,      /* min..max bytes of UTF-8 (passwords, message bodies, emoji) */
    FV_INT,        /* integer in min..max; a form's digits are converted to a JSON integer */
    FV_IDS,        /* list of ids (JSON array of integers or digit strings, or a form's text of
                      ids separated by commas or spaces) → JSON array of integers, max entries */
    FV_BOOL,       /* true/false; a form's "1"/"0"/"on"/"off"/"true"/"false" → JSON boolean */
    FV_UUID,       /* a UUID (8-4-4-4-12 hex), folded to lower case */
    FV_NAMES,      /* usernames separated by commas or spaces (or a JSON array) → array of
                      lower-case strings, max entries; '@' prefixes allowed */
} field_kind;

typedef struct field_spec {
    const char *name;   /* NULL ends a list */
    const char *label;  /* for messages: "Display name" */
    field_kind kind;
    int required;
    long long min, max;
} field_spec;

/* Checks input against specs; may normalise values in input. On failure sets *field to the
 * offending name and *msg to a sentence (in arena a). */
err_t fields_check(json_t *input, const field_spec *specs, arena *a, const char **field, const char **msg);
int username_valid(const char *s);

#endif
