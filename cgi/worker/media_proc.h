/* media_proc.h — the "media.process" job (payload {"media_id": N}, key "media.process:<N>"),
 * queued by an upload of kind image, video or audio in the same transaction as its row.
 *
 * Images (PNG, JPEG, GIF, WebP): the header is read first, with the loader the sniffed type
 * names and nothing else; more than cfg->max_pixels pixels (width × height × pages) and the
 * image is never decoded (a decompression bomb): state 'failed', no thumbnails. Otherwise
 * thumbnails "t320.webp" and "t1280.webp" (bounded boxes, never upscaled, turned upright by
 * the EXIF orientation, metadata stripped) and, for PNG, JPEG and WebP, "clean": the image
 * upright and re-encoded in its own format without EXIF, GPS, XMP or ICC data (quality 90).
 * GIFs are served as they are. width and height are the upright size.
 * Video and audio, when ffmpeg and ffprobe are on PATH: duration_ms, and for video a poster
 * frame made into the same two thumbnails; a WebM whose only stream is audio (a voice note
 * recorded in a browser, which libmagic calls video/webm) becomes kind 'audio'. Without
 * ffmpeg: one line in the log, and the media is simply ready.
 * Then the row is updated (state 'ready', or 'failed' when the bytes cannot be decoded: that
 * is no reason to retry) and a "media.ready" event goes to the uploader and to the members
 * of every conversation holding a message that carries it. Only disk or database trouble
 * fails the job (it is retried). Idempotent: files are written to tmp/ and renamed over
 * what a previous run left. A missing row (deleted meanwhile) is success.
 *
 * Memory: libvips runs one thread per pipeline with no operation cache, and images stream
 * (sequential access, shrink-on-load for JPEG), so a job needs tens of megabytes whatever
 * the image's size up to the pixel limit (docs/ARCHITECTURE.md, "parley-worker"). */
#ifndef PARLEY_MEDIA_PROC_H
#define PARLEY_MEDIA_PROC_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"

extern const db_stmt media_proc_stmts[];

/* Starts libvips once per process, before any job runs (VIPS_INIT), with the settings above
 * and the loaders libvips calls untrusted blocked. 0, or -1 when libvips cannot start.
 * media_proc_shutdown ends it at exit. */
int media_proc_init(const char *argv0);
void media_proc_shutdown(void);

/* Cuts the EXIF and XMP chunks out of the WebP file in b[0..n) (and their flags out of
 * VP8X), in place; returns the new length. Anything that is not a well-formed WebP RIFF is
 * left as it is. Pure. */
size_t media_proc_webp_strip(unsigned char *b, size_t n);

/* The job handler (kinds.h). */
err_t media_proc_run(svc *s, json_t *payload, char *why, size_t whylen);
/* After the last attempt failed (a blob gone, a disk that kept refusing): the upload, still
 * "processing", becomes "failed" (shown as a download to its uploader, as an undecodable
 * image is) and media.ready says so. */
err_t media_proc_gave_up(svc *s, json_t *payload, char *why, size_t whylen);

#endif
