/* body.h — turns a request body into one JSON object of fields, whether it came as JSON or
 * as an urlencoded form, so handlers read input one way. The object is owned by the caller
 * (json_decref). */
#ifndef PARLEY_BODY_H
#define PARLEY_BODY_H
#include <jansson.h>
#include "form.h"

enum { BODY_MAX_FIELDS = 256 };

/* content_type may be NULL. An empty body is an empty object. */
err_t body_parse(arena *a, const char *content_type, const char *data, size_t len, json_t **out);

#endif
