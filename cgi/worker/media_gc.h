/* media_gc.h — the "media.cleanup" job, queued every hour beside "cleanup" (key
 * media.cleanup:<UTC hour>). It deletes:
 *   - media rows older than MEDIA_GC_DAYS that no message (message_media), no person's and
 *     no conversation's avatar refers to;
 *   - resumable uploads not written to for MEDIA_GC_DAYS: the row and uploads/<id>;
 *   - blobs (and what was derived from them) that no media row names any more: those of the
 *     rows it just deleted, then a sweep of blobs/ (older than MEDIA_GC_DAYS) that catches
 *     the rest (rows deleted with their uploader, a run that stopped half-way), bounded in
 *     time and resumed at a random place next hour;
 *   - files in tmp/ older than MEDIA_GC_DAYS (uploads and worker output cut short);
 *   - expired link previews that no message shows, and their images (preview_gc).
 * A blob is deleted only under the advisory lock of its hash, after checking again that no
 * row names it; the upload side holds the same lock while it renames a blob into place and
 * inserts its row (store.h), so a new upload of the same bytes never loses its file.
 * Idempotent: what is already gone is skipped. */
#ifndef PARLEY_MEDIA_GC_H
#define PARLEY_MEDIA_GC_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"

#define MEDIA_GC_DAYS 1
#define MEDIA_GC_BATCH 500          /* rows or blobs per statement */
#define MEDIA_GC_SWEEP_S 20         /* the blob sweep stops after this long (well within a lease) */

extern const db_stmt media_gc_stmts[];

/* The job handler (kinds.h): the payload is ignored ({}). */
err_t media_gc_run(svc *s, json_t *payload, char *why, size_t whylen);

#endif
