/* imghdr.h — an image's pixel size read from its header, without decoding it: so that
 * uploads answer with width and height at once, and a decompression bomb (a small file that
 * declares billions of pixels) is known before anything decodes it. PNG, GIF, JPEG, WebP. */
#ifndef PARLEY_IMGHDR_H
#define PARLEY_IMGHDR_H
#include <stddef.h>

/* The first bytes of a file (a JPEG's frame header may follow 64 KiB of EXIF: pass up to
 * IMGHDR_SCAN bytes). 0 with *w, *h set (both ≥ 1), or -1 when the header is not found or
 * not one of the four formats. Never reads outside data[0..n). */
enum { IMGHDR_SCAN = 256 * 1024 };
int imghdr_size(const unsigned char *data, size_t n, long *w, long *h);

#endif
