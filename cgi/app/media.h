/* media.h — uploads (photos, videos, voice notes, any file) as the domain sees them:
 * receiving bytes into the store under the size limit and the uploader's quota, sniffing
 * the type, the row and its processing job, who may fetch it, and its JSON. The bytes are
 * behind cgi/media/store.h; thumbnails and metadata stripping run in parley-worker
 * ("media.process"). */
#ifndef PARLEY_MEDIA_H
#define PARLEY_MEDIA_H
#include "ctx.h"
#include "../media/store.h"

extern const db_stmt media_stmts[];

enum { MEDIA_MAX_PER_MESSAGE = 10 };

/* One file being received. */
typedef struct media_put {
    store_put sp;
    long long limit;           /* bytes it may have: the size limit or the quota left */
    int over_quota;            /* the limit is the quota's (for the message) */
    char name[256];            /* cleaned file name */
    char declared[128];        /* the client's Content-Type: a hint for audio/video only */
    int opaque;                /* an end-to-end encrypted blob: never sniffed or processed */
} media_put;

/* Starts receiving a file for the caller. expect is the announced size (-1: unknown): over
 * the limit or the quota it is refused at once with ERR_BODY_TOO_LARGE (nothing read). */
err_t media_put_begin(svc *c, media_put *m, const char *name, const char *declared, int opaque, long long expect);
/* More bytes; ERR_BODY_TOO_LARGE (with a message) past the limit. */
err_t media_put_write(svc *c, media_put *m, const void *data, size_t n);
/* The file is complete: hashes, sniffs, stores and records it; *id is the new media id. */
err_t media_put_finish(svc *c, media_put *m, long long *id);
/* Drops a file being received (idempotent); nothing of it stays visible. */
void media_put_abort(media_put *m);
/* Records a complete file already on disk at path (a finished resumable upload) as the
 * caller's upload; the file is moved into the store. */
err_t media_adopt(svc *c, const char *path, const char *name, const char *declared, int opaque, long long *id);

/* {"id","name","mime","kind","size","width","height","duration","state","url","thumb_url"}
 * of media id, which the caller may see (ERR_NOT_FOUND otherwise). New reference in *out. */
err_t media_get_json(svc *c, long long id, json_t **out);
/* The same from an attachment object the message query built (adds url and thumb_url). */
void media_json_urls(json_t *o);
/* ERR_OK when every id in ids (a JSON array of integers) is the caller's own upload, at most
 * MEDIA_MAX_PER_MESSAGE, none repeated; else ERR_INVALID_FIELD naming the field. */
err_t media_check_own(svc *c, json_t *ids, const char *field);
/* An inbox excerpt for a message without text: "📷 Photo", "🎬 Video", "🎤 Voice message",
 * "📎 <name>" from the attachment array (borrowed); NULL when there is none. */
const char *media_excerpt(svc *c, json_t *attachments);
/* Answers the request with the file at path (size bytes; rel is its path under the media
 * directory, for X-Accel-Redirect) as mime with the given Content-Disposition: through the
 * web server when PARLEY_SENDFILE says so, otherwise streamed by the app, honouring Range and
 * If-None-Match (etag unquoted). Media downloads and data exports share it. */
err_t media_send(ctx *c, const char *path, const char *rel, long long size, const char *mime, const char *etag,
                 const char *disposition);
/* A clean file name: the last path component, without control, invisible or bidi
 * characters, at most 255 bytes; "file" when nothing is left. Arena-owned. */
const char *media_clean_name(arena *a, const char *name);

#endif
