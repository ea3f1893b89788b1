/* multipart.h — a streaming multipart/form-data parser (RFC 7578): the body is pushed in
 * chunks of any size as it arrives, and each part's bytes are handed on as they are found,
 * so a file is never held in memory. Text fields and files alike are parts; the caller's
 * callbacks decide what to keep. */
#ifndef PARLEY_MULTIPART_H
#define PARLEY_MULTIPART_H
#include <stddef.h>
#include "../core/err.h"

enum {
    MP_MAX_BOUNDARY = 70,      /* RFC 2046 */
    MP_MAX_HEADER = 8192,      /* one part's header block */
    MP_MAX_PARTS = 64,
    MP_WINDOW = 65536,
};

typedef struct mp_part {
    char name[128];            /* the form field's name */
    char filename[256];        /* the file's name as sent (may be ""), only when is_file */
    char content_type[128];    /* as declared by the client ("" when absent): a hint only */
    int is_file;               /* the part had a filename parameter */
} mp_part;

/* Callbacks return 0 to go on; anything else stops the parse with ERR_BAD_REQUEST unless
 * the callback recorded its own error in the parser (mp->cb_err). */
typedef struct mp_cb {
    int (*begin)(void *ud, const mp_part *p);
    int (*data)(void *ud, const char *d, size_t n);
    int (*end)(void *ud);
} mp_cb;

typedef struct mp {
    char delim[MP_MAX_BOUNDARY + 5];   /* "\r\n--" boundary */
    size_t dlen;
    int state;
    int parts;
    char w[MP_WINDOW + MP_MAX_HEADER]; /* unconsumed input */
    size_t wn;
    mp_part part;
    err_t cb_err;                      /* a callback's own error, if it set one */
} mp;

/* Reads the boundary from a Content-Type header. ERR_UNSUPPORTED_MEDIA when it is not
 * multipart/form-data, ERR_BAD_REQUEST when the boundary is missing or invalid. */
err_t mp_init(mp *m, const char *content_type);
/* 1 when content_type is multipart/form-data (any parameters). */
int mp_is_multipart(const char *content_type);
/* Pushes n more bytes of the body. */
err_t mp_feed(mp *m, const char *data, size_t n, const mp_cb *cb, void *ud);
/* The body ended: ERR_OK only if the closing delimiter was seen. */
err_t mp_finish(const mp *m);

#endif
