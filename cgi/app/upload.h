/* upload.h — a multipart/form-data request body (the no-JavaScript forms that carry files):
 * text fields become the request's input like any form's, files are streamed into the media
 * store as the caller's uploads and their ids listed in the input as "media_ids". */
#ifndef PARLEY_UPLOAD_H
#define PARLEY_UPLOAD_H
#include "ctx.h"

/* Reads the whole body from io into c->in. The CSRF token must come before the first file
 * (Parley's forms put it first): the check runs there, before any file byte is stored, and
 * marks c->csrf_ok. An empty file input (no file chosen) is ignored. On any failure every
 * file of the request is dropped. */
err_t upload_form(ctx *c, http_io *io);

#endif
