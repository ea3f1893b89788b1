/* sniff.h — what a file is, from its bytes (libmagic), never from what the client says, and
 * how Parley shows it: inline (image, video, audio players) or only as a download. */
#ifndef PARLEY_SNIFF_H
#define PARLEY_SNIFF_H
#include <stddef.h>

enum { SNIFF_MIME_MAX = 128 };

/* The MIME type of the file at path into mime ("application/octet-stream" when libmagic
 * cannot tell); 0, or -1 when the file cannot be read. Thread-safe: one libmagic handle
 * per thread, loaded on first use. */
int sniff_file(const char *path, char mime[SNIFF_MIME_MAX]);
/* The same for bytes in memory (data[0..n), the caller's); 0, or -1 when libmagic fails. */
int sniff_buffer(const void *data, size_t n, char mime[SNIFF_MIME_MAX]);
/* The kind a sniffed type is shown as: "image", "video", "audio" (inline, from a short
 * list browsers play safely) or "file" (everything else, always an attachment). The
 * client's declared type (may be NULL) only tells audio from video for WebM and Ogg, whose
 * magic is the same; mime may be rewritten accordingly (video/webm → audio/webm). */
const char *sniff_kind(char mime[SNIFF_MIME_MAX], const char *declared);

#endif
